// SPDX-License-Identifier: GPL-2.0
/*
 * The ground the module stands on: in the test VM, network namespaces and
 * vsock work, and (before Linux 7.0) vsock ignores namespaces, which is
 * the hole vsock-cidreg closes.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "kselftest_harness.h"
#include "lib/util.h"

#define PORT 4242
/* Two netns and the vsock modules: slow on a PREEMPT_RT debug kernel (TCG). */
#define SLOW 300

static int connect_to(unsigned int cid, unsigned int port)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = cid,
		.svm_port = port,
	};
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		close(fd);
		return -1;
	}
	return fd;
}

FIXTURE(loopback) {
	int unused;
};

FIXTURE_SETUP(loopback)
{
	ASSERT_EQ(0, module_load("vsock_loopback"));
}

FIXTURE_TEARDOWN(loopback)
{
}

TEST_F_TIMEOUT(loopback, stream_carries_data_between_two_netns, SLOW)
{
	int ready[2], lfd, cfd, status;
	char buf[32] = "";
	ino_t server_ns, client_ns;
	pid_t pid;

	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd, conn;
		ino_t ns;

		close(ready[0]);
		fd = netns_new();
		ns = netns_inode(fd);
		lfd = vsock_listen(PORT, 0);
		if (fd < 0 || lfd < 0)
			_exit(1);
		if (write(ready[1], &ns, sizeof(ns)) != sizeof(ns))
			_exit(2);
		conn = accept(lfd, NULL, NULL);
		if (conn < 0 || read(conn, buf, sizeof(buf)) != 5 ||
		    write(conn, "pong", 4) != 4)
			_exit(3);
		close(conn);
		_exit(0);
	}
	close(ready[1]);
	ASSERT_EQ((ssize_t)sizeof(server_ns),
		  read(ready[0], &server_ns, sizeof(server_ns)))
		TH_LOG("the listener could not start");
	close(ready[0]);

	ASSERT_LE(0, netns_new());
	client_ns = netns_inode(-1);
	EXPECT_NE(server_ns, client_ns);

	cfd = connect_to(VMADDR_CID_LOCAL, PORT);
	ASSERT_LE(0, cfd) TH_LOG("connect: %s", strerror(errno));
	EXPECT_EQ(5, write(cfd, "ping", 5));
	EXPECT_EQ(4, read(cfd, buf, sizeof(buf) - 1));
	EXPECT_STREQ("pong", buf);
	close(cfd);

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F_TIMEOUT(loopback, connect_without_listener_is_refused, SLOW)
{
	int fd;

	fd = connect_to(VMADDR_CID_LOCAL, PORT + 1);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ECONNRESET, errno);
}

TEST_HARNESS_MAIN
