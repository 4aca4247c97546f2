// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h>

#include "util.h"

struct child_errors *child_errors_new(void)
{
	struct child_errors *e = mmap(NULL, sizeof(*e), PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return e == MAP_FAILED ? NULL : e;
}

void child_error(struct child_errors *e, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&e->count, 1, __ATOMIC_SEQ_CST) == 0) {
		va_start(ap, fmt);
		vsnprintf(e->first, sizeof(e->first), fmt, ap);
		va_end(ap);
	}
}

int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int run_cmd(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int n, status;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	status = system(cmd);
	if (status == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int module_load(const char *name)
{
	return module_loaded(name) ? 0 : run_cmd("modprobe %s", name);
}

int module_unload(const char *name)
{
	return run_cmd("modprobe -r %s", name);
}

bool module_loaded(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return access(path, F_OK) == 0;
}

int netns_new(void)
{
	int fd;

	if (unshare(CLONE_NEWNET))
		return -1;
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (run_cmd("ip link set lo up")) {
		close(fd);
		errno = EIO;
		return -1;
	}
	return fd;
}

ino_t netns_inode(int fd)
{
	struct stat st;
	int err;

	if (fd >= 0)
		err = fstat(fd, &st);
	else
		err = stat("/proc/thread-self/ns/net", &st);
	return err ? 0 : st.st_ino;
}

/*
 * What `ip netns add NAME` does, without its two processes per call (they
 * cost seconds per test on the debug kernel): a new netns, pinned by a
 * bind mount on /run/netns/NAME, so that `ip netns exec NAME` works.
 */
int netns_add(const char *name)
{
	char path[128];
	int fd, status;
	pid_t pid;

	netns_del(name);
	if (mkdir("/run/netns", 0755) && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	close(fd);
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0)
		_exit(unshare(CLONE_NEWNET) ||
		      mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		goto fail;
	return open(path, O_RDONLY | O_CLOEXEC);
fail:
	unlink(path);
	return -1;
}

void netns_del(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	umount2(path, MNT_DETACH);
	unlink(path);
}

int netns_add_local(const char *name)
{
	static const char parent_name[] = "cidreg-local-parent";
	int self, parent, fd = -1, mode, saved;

	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -1;
	parent = open("/run/netns/cidreg-local-parent", O_RDONLY | O_CLOEXEC);
	if (parent < 0)
		parent = netns_add(parent_name);
	if (parent < 0 || setns(parent, CLONE_NEWNET))
		goto out;
	/* Writing the value it is locked to again is allowed. */
	mode = open("/proc/sys/net/vsock/child_ns_mode", O_WRONLY | O_CLOEXEC);
	if (mode >= 0) {
		if (write(mode, "local", 5) == 5)
			fd = netns_add(name);
		close(mode);
	}
	saved = errno;
	if (setns(self, CLONE_NEWNET)) {
		if (fd >= 0)
			close(fd);
		fd = -1;
	} else {
		errno = saved;
	}
out:
	if (parent >= 0)
		close(parent);
	close(self);
	return fd;
}

const char *netns_vsock_mode(int fd)
{
	static char mode[16];
	int pfd[2], status;
	ssize_t n = 0;
	pid_t pid;

	mode[0] = 0;
	if (pipe(pfd))
		return mode;
	pid = fork();
	if (pid == 0) {
		char buf[16];
		int m;

		close(pfd[0]);
		if (setns(fd, CLONE_NEWNET))
			_exit(1);
		m = open("/proc/sys/net/vsock/ns_mode", O_RDONLY);
		if (m < 0)
			_exit(2);
		n = read(m, buf, sizeof(buf) - 1);
		if (n <= 0 || write(pfd[1], buf, n) != n)
			_exit(3);
		_exit(0);
	}
	close(pfd[1]);
	if (pid > 0) {
		n = read(pfd[0], mode, sizeof(mode) - 1);
		waitpid(pid, &status, 0);
	}
	close(pfd[0]);
	mode[n > 0 ? n : 0] = 0;
	mode[strcspn(mode, "\n")] = 0;
	return mode;
}

int vsock_listen(unsigned int port, int flags)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK,
				 .svm_cid = VMADDR_CID_ANY, .svm_port = port };
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 32)) {
		close(fd);
		return -1;
	}
	return fd;
}

int drop_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[cap / 32].effective &= ~(1U << (cap % 32));
	d[cap / 32].permitted &= ~(1U << (cap % 32));
	d[cap / 32].inheritable &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}
