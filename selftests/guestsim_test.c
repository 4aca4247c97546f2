// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace guest of lib/guestsim against unmodified host sockets,
 * through the real vhost-vsock driver: connections both ways, bulk data
 * with checksums, many streams, credit flow control, resets.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "kselftest_harness.h"
#include "lib/guestsim.h"
#include "lib/registry.h"
#include "lib/util.h"

#define GCID	4100
#define PORT	7000
#define TMO	20000

/* Accepts with a timeout, so a test never hangs on a missing peer. */
static int host_accept(int lfd, struct gsim *g)
{
	int i;

	for (i = 0; i < TMO / 10; i++) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };

		if (g)
			gsim_poll(g, 0);
		if (poll(&p, 1, 10) > 0)
			return accept(lfd, NULL, NULL);
	}
	errno = ETIMEDOUT;
	return -1;
}

static uint32_t fnv(uint32_t h, const unsigned char *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static void fill(unsigned char *buf, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)(i * 31 + seed + (i >> 12));
}

FIXTURE(guest) {
	struct gsim *g;
	int lfd;
};

FIXTURE_SETUP(guest)
{
	ASSERT_EQ(0, module_load("vhost_vsock"));
	self->g = gsim_create(GCID);
	ASSERT_NE(NULL, self->g) TH_LOG("gsim_create: %s", strerror(errno));
	self->lfd = -1;
}

FIXTURE_TEARDOWN(guest)
{
	if (self->lfd >= 0)
		close(self->lfd);
	gsim_destroy(self->g);
}

TEST_F(guest, connects_to_a_host_listener_and_talks_both_ways)
{
	char buf[16] = "";
	int s, fd;

	self->lfd = vsock_listen(PORT, 0);
	ASSERT_LE(0, self->lfd);
	s = gsim_connect(self->g, PORT, TMO);
	ASSERT_LE(0, s) TH_LOG("connect: %s", strerror(-s));
	fd = host_accept(self->lfd, self->g);
	ASSERT_LE(0, fd);
	ASSERT_EQ(5, gsim_send(self->g, s, "hello", 5, TMO));
	ASSERT_EQ(5, recv(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	ASSERT_EQ(3, send(fd, "hi!", 3, 0));
	ASSERT_EQ(3, gsim_recv(self->g, s, buf, sizeof(buf), TMO));
	EXPECT_EQ(0, memcmp(buf, "hi!", 3));
	/* Orderly shutdown: the host's half-close is the guest's EOF. */
	ASSERT_EQ(0, shutdown(fd, SHUT_WR));
	EXPECT_EQ(0, gsim_recv(self->g, s, buf, sizeof(buf), TMO));
	EXPECT_EQ(0, gsim_shutdown_send(self->g, s));
	EXPECT_EQ(0, recv(fd, buf, sizeof(buf), 0));
	close(fd);
	EXPECT_EQ(0, gsim_close(self->g, s));
}

TEST_F(guest, accepts_a_host_connection)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = GCID,
				 .svm_port = PORT + 1 };
	struct pollfd p;
	char buf[8] = "";
	int s, fd, flags;

	ASSERT_EQ(0, gsim_listen(self->g, PORT + 1));
	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINPROGRESS, errno);
	s = gsim_accept(self->g, PORT + 1, TMO);
	ASSERT_LE(0, s) TH_LOG("accept: %s", strerror(-s));
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	ASSERT_EQ(1, poll(&p, 1, TMO));
	flags = fcntl(fd, F_GETFL);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, flags & ~O_NONBLOCK));
	ASSERT_EQ(4, send(fd, "ping", 4, 0));
	ASSERT_EQ(4, gsim_recv(self->g, s, buf, sizeof(buf), TMO));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	ASSERT_EQ(4, gsim_send(self->g, s, "pong", 4, TMO));
	ASSERT_EQ(4, recv(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "pong", 4));
	close(fd);
}

TEST_F(guest, connect_without_listener_is_reset)
{
	EXPECT_EQ(-ECONNRESET, gsim_connect(self->g, PORT + 99, TMO));
}

#define BULK	(10 * 1024 * 1024)

struct host_io {
	int fd;
	size_t len;
	uint32_t sum;
	size_t done;
	int err;
};

static void *host_reader(void *arg)
{
	struct host_io *io = arg;
	unsigned char buf[65536];
	ssize_t n;

	io->sum = 2166136261u;
	while (io->done < io->len) {
		n = recv(io->fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			io->err = n ? errno : EPIPE;
			break;
		}
		io->sum = fnv(io->sum, buf, n);
		__atomic_add_fetch(&io->done, n, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *host_writer(void *arg)
{
	struct host_io *io = arg;
	unsigned char *buf = malloc(io->len);
	size_t off = 0;
	ssize_t n;

	fill(buf, io->len, 7);
	io->sum = fnv(2166136261u, buf, io->len);
	while (off < io->len) {
		size_t chunk = io->len - off < 4096 ? io->len - off : 4096;

		n = send(io->fd, buf + off, chunk, 0);
		if (n <= 0) {
			io->err = errno;
			break;
		}
		off += n;
		__atomic_store_n(&io->done, off, __ATOMIC_RELAXED);
	}
	free(buf);
	return NULL;
}

TEST_F_TIMEOUT(guest, ten_mib_each_way_keep_their_checksum, 240)
{
	unsigned char *buf = malloc(BULK);
	struct host_io io = { .len = BULK };
	uint32_t sum = 2166136261u;
	pthread_t t;
	size_t got = 0;
	ssize_t n;
	int s;

	ASSERT_NE(NULL, buf);
	self->lfd = vsock_listen(PORT + 2, 0);
	ASSERT_LE(0, self->lfd);
	s = gsim_connect(self->g, PORT + 2, TMO);
	ASSERT_LE(0, s);
	io.fd = host_accept(self->lfd, self->g);
	ASSERT_LE(0, io.fd);

	/* Guest to host. */
	fill(buf, BULK, 3);
	ASSERT_EQ(0, pthread_create(&t, NULL, host_reader, &io));
	EXPECT_EQ((ssize_t)BULK, gsim_send(self->g, s, buf, BULK, 60000));
	pthread_join(t, NULL);
	EXPECT_EQ(0, io.err);
	EXPECT_EQ((size_t)BULK, io.done);
	EXPECT_EQ(fnv(2166136261u, buf, BULK), io.sum);

	/* Host to guest. */
	io.done = 0;
	ASSERT_EQ(0, pthread_create(&t, NULL, host_writer, &io));
	while (got < BULK) {
		n = gsim_recv(self->g, s, buf, 65536, 60000);
		if (n <= 0)
			break;
		sum = fnv(sum, buf, n);
		got += n;
	}
	pthread_join(t, NULL);
	EXPECT_EQ((size_t)BULK, got);
	EXPECT_EQ(io.sum, sum);
	close(io.fd);
	free(buf);
}

#define NSTREAMS	16
#define PER_STREAM	(64 * 1024)

TEST_F_TIMEOUT(guest, sixteen_streams_at_once, 240)
{
	unsigned char *buf = malloc(PER_STREAM), rbuf[4096];
	int s[NSTREAMS], fd[NSTREAMS], i, round;
	size_t got[NSTREAMS] = { 0 };
	uint32_t want, sum[NSTREAMS];

	ASSERT_NE(NULL, buf);
	self->lfd = vsock_listen(PORT + 3, 0);
	ASSERT_LE(0, self->lfd);
	for (i = 0; i < NSTREAMS; i++) {
		s[i] = gsim_connect(self->g, PORT + 3, TMO);
		ASSERT_LE(0, s[i]);
		fd[i] = host_accept(self->lfd, self->g);
		ASSERT_LE(0, fd[i]);
		sum[i] = 2166136261u;
	}
	/* Host sends on all 16, interleaved; the guest reads them all. */
	for (round = 0; round < PER_STREAM / 4096; round++) {
		for (i = 0; i < NSTREAMS; i++) {
			fill(buf, 4096, i + round * 4096);
			ASSERT_EQ(4096, send(fd[i], buf, 4096, 0));
		}
	}
	for (i = 0; i < NSTREAMS; i++) {
		while (got[i] < PER_STREAM) {
			ssize_t n = gsim_recv(self->g, s[i], rbuf, sizeof(rbuf),
					      TMO);

			ASSERT_LT(0, n);
			sum[i] = fnv(sum[i], rbuf, n);
			got[i] += n;
		}
	}
	for (i = 0; i < NSTREAMS; i++) {
		want = 2166136261u;
		for (round = 0; round < PER_STREAM / 4096; round++) {
			fill(buf, 4096, i + round * 4096);
			want = fnv(want, buf, 4096);
		}
		EXPECT_EQ(want, sum[i]) TH_LOG("stream %d", i);
		close(fd[i]);
		gsim_close(self->g, s[i]);
	}
	free(buf);
}

TEST_F_TIMEOUT(guest, slow_reader_stalls_the_host_and_recovers, 240)
{
	struct host_io io = { .len = 1024 * 1024 };
	unsigned char buf[4096];
	uint32_t sum = 2166136261u;
	size_t got = 0, stalled;
	int s, round;
	pthread_t t;
	ssize_t n;

	self->lfd = vsock_listen(PORT + 4, 0);
	ASSERT_LE(0, self->lfd);
	s = gsim_connect(self->g, PORT + 4, TMO);
	ASSERT_LE(0, s);
	io.fd = host_accept(self->lfd, self->g);
	ASSERT_LE(0, io.fd);
	ASSERT_EQ(0, pthread_create(&t, NULL, host_writer, &io));
	/*
	 * The guest reads nothing: the host runs out of credit. Wait for the
	 * writer to have sent something and then to stop moving, however slow
	 * the kernel (a debug kernel under TCG takes seconds to start).
	 */
	stalled = 0;
	for (round = 0; round < 200; round++) {
		size_t now;

		gsim_poll(self->g, 300);
		now = __atomic_load_n(&io.done, __ATOMIC_RELAXED);
		if (now && now == stalled)
			break;
		stalled = now;
	}
	EXPECT_GE((size_t)256 * 1024, stalled);
	EXPECT_LT((size_t)0, stalled);
	while (got < io.len) {
		n = gsim_recv(self->g, s, buf, sizeof(buf), TMO);
		if (n <= 0)
			break;
		sum = fnv(sum, buf, n);
		got += n;
	}
	pthread_join(t, NULL);
	EXPECT_EQ(io.len, got);
	EXPECT_EQ(io.sum, sum);
	TH_LOG("host stalled after %zu bytes of %zu", stalled, io.len);
	close(io.fd);
}

TEST_F(guest, destroyed_guest_resets_the_host_side)
{
	char buf[8];
	int s, fd;

	self->lfd = vsock_listen(PORT + 5, 0);
	ASSERT_LE(0, self->lfd);
	s = gsim_connect(self->g, PORT + 5, TMO);
	ASSERT_LE(0, s);
	fd = host_accept(self->lfd, self->g);
	ASSERT_LE(0, fd);
	gsim_destroy(self->g);
	self->g = NULL;
	EXPECT_EQ(-1, recv(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	close(fd);
}

TEST_F_TIMEOUT(guest, guestsim_command_talks_to_socat_byte_for_byte, 240)
{
	char dir[4096];
	ssize_t n;

	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	ASSERT_LT(0, n);
	dir[n] = 0;
	*strrchr(dir, '/') = 0;
	gsim_destroy(self->g);
	self->g = NULL;
	/*
	 * socat echoes on the host; the command pipes 1 MiB through it. Each
	 * side retries its connect until the other listens: a loaded debug
	 * kernel can take more than a second to start a listener.
	 */
	EXPECT_EQ(0, run_cmd("cd /tmp && head -c 1048576 /dev/urandom > in && "
			     "{ socat VSOCK-LISTEN:%d SYSTEM:cat & ok=1; "
			     "for i in $(seq 100); do timeout 60 "
			     "%s/vsock-guestsim -c %d connect %d < in > out "
			     "2>/dev/null && { ok=0; break; }; sleep 0.2; done; "
			     "[ $ok = 0 ] || kill $!; wait; } && cmp in out",
			     PORT + 6, dir, GCID, PORT + 6));
	/*
	 * And the other way: socat connects to the command's listener. Once
	 * its input ends, socat waits -t seconds for the echo: 5 cut it short
	 * once on arm64 PREEMPT_RT under TCG beside the debug suite (960 KiB
	 * of 1 MiB back); the outer timeout bounds it.
	 */
	EXPECT_EQ(0, run_cmd("cd /tmp && { timeout 60 %s/vsock-guestsim -c %d "
			     "listen %d --echo & ok=1; for i in $(seq 100); do "
			     "timeout 60 socat -t 50 - VSOCK-CONNECT:%d:%d "
			     "< in > out2 2>/dev/null && { ok=0; break; }; "
			     "sleep 0.2; done; [ $ok = 0 ] || kill $!; wait; } && "
			     "cmp in out2", dir, GCID, PORT + 7, GCID, PORT + 7));
}

TEST_HARNESS_MAIN
