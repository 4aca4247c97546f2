// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded fuzzer of the module's interfaces: the ioctls of
 * /dev/vsock-cidreg (struct sizes, flags, CIDs, netns fds of every kind,
 * labels, bad pointers, unknown numbers), the generic netlink family
 * (commands, flags, attributes of any type and length) and
 * VHOST_VSOCK_SET_GUEST_CID, from three processes at once: root in the
 * initial netns, root in a netns of its own, and an unprivileged user in
 * a user and net namespace of its own (holding a device fd, as a pod
 * given the device would).
 *
 * Every call must come back, with success or one of the errors its
 * interface documents; afterwards a reset leaves the registry empty, and
 * the kernel log (read by vmrun.sh) must be clean. CIDREG_FUZZ_SEED (1)
 * and CIDREG_FUZZ_ITERATIONS (12000, split over the three) make a run
 * reproducible: `make check` runs the defaults, `make fuzz` more seeds
 * and longer. A crash found becomes a test of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/vhost.h>

#include "kselftest_harness.h"
#include "lib/nl.h"
#include "lib/registry.h"
#include "lib/util.h"

#define POOL_CID	1000	/* CIDs 1000..1015 collide on purpose */

struct shared {
	unsigned long long calls[4], ok[4];	/* ioctl, netlink, vhost, ns */
};

static struct shared *sh;
static uint64_t rng;

/* xorshift64*: the same seed, the same calls. */
static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 2685821657736338717ULL) >> 32;
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static struct child_errors *errs;

#define fail(...) child_error(errs, __VA_ARGS__)

/* File descriptors a netns_fd field may name: netns, others, none. */
static int fds[6];

static uint32_t interesting(void)
{
	static const uint32_t v[] = { 0, 1, 2, 3, 4, 0x7fffffff, 0x80000000,
				      0xfffffffe, 0xffffffff, 1024, 65535 };

	switch (below(4)) {
	case 0:
		return v[below(sizeof(v) / sizeof(v[0]))];
	case 1:
		return POOL_CID + below(16);
	case 2:
		return fds[below(6)];
	default:
		return rnd();
	}
}

static const struct { unsigned long nr; uint32_t size; } ioctls[] = {
	{ VSOCK_CIDREG_IOC_RESERVE, VSOCK_CIDREG_RESERVE_SIZE_VER0 },
	{ VSOCK_CIDREG_IOC_RELEASE, VSOCK_CIDREG_RELEASE_SIZE_VER0 },
	{ VSOCK_CIDREG_IOC_QUERY, VSOCK_CIDREG_ENTRY_SIZE_VER0 },
	{ VSOCK_CIDREG_IOC_TRANSFER, VSOCK_CIDREG_TRANSFER_SIZE_VER0 },
	{ VSOCK_CIDREG_IOC_TRUST, VSOCK_CIDREG_TRUST_SIZE_VER0 },
	{ VSOCK_CIDREG_IOC_STATS, VSOCK_CIDREG_STATS_SIZE_VER0 },
};

static bool errno_of_ioctls(int err)
{
	switch (err) {
	case EINVAL: case E2BIG: case EFAULT: case ENOTTY: case EPERM:
	case EBADF: case ENOENT: case EADDRINUSE: case ENOSPC: case EDQUOT:
	case EXDEV:
		return true;
	}
	return false;
}

/* One ioctl of random shape; @none is a PROT_NONE page. */
static void fuzz_ioctl(int fd, char *none)
{
	static uint32_t buf[256];
	unsigned int i = below(sizeof(ioctls) / sizeof(ioctls[0]) + 1);
	unsigned long nr;
	uint32_t size;
	void *arg = buf;
	int r;

	if (i == sizeof(ioctls) / sizeof(ioctls[0])) {	/* unknown */
		nr = _IOC(_IOC_READ | _IOC_WRITE, 0xC1, 7 + below(16),
			  1 + below(200));
		size = 16;
	} else {
		nr = ioctls[i].nr;
		size = ioctls[i].size;
		if (!below(8))	/* another size in the number */
			nr = _IOC(_IOC_DIR(nr), _IOC_TYPE(nr), _IOC_NR(nr),
				  below(300));
	}
	for (i = 0; i < 256; i++)
		buf[i] = below(4) ? interesting() : 0;
	switch (below(8)) {
	case 0:
		buf[0] = interesting();
		break;
	case 1:
		buf[0] = size + 4 * below(8);	/* a larger struct */
		break;
	default:
		buf[0] = size;
	}
	buf[1] = below(4) ? below(16) : rnd();
	if (!below(3)) {	/* a label, terminated or not */
		for (i = 0; i < 64; i++)
			((char *)buf)[24 + i] = below(4) ? 'a' + below(26) :
						rnd();
		if (below(2))
			((char *)buf)[24 + below(64)] = 0;
	}
	switch (below(20)) {
	case 0:
		arg = NULL;
		break;
	case 1:
		arg = none;
		break;
	case 2:	/* the struct runs into the unmapped page */
		i = 4 * (1 + below(8));
		arg = none - i;
		memcpy(arg, buf, i);
		break;
	}
	r = ioctl(fd, nr, arg);
	__atomic_fetch_add(&sh->calls[0], 1, __ATOMIC_RELAXED);
	if (!r)
		__atomic_fetch_add(&sh->ok[0], 1, __ATOMIC_RELAXED);
	else if (!errno_of_ioctls(errno))
		fail("ioctl %#lx: %s", nr, strerror(errno));
}

static bool errno_of_netlink(int err)
{
	switch (err) {
	case EINVAL: case ERANGE: case EMSGSIZE: case EOPNOTSUPP: case EPERM:
	case EBADF: case ENOENT: case EADDRINUSE: case ENOSPC: case EDQUOT:
	case EXDEV: case E2BIG:
		return true;
	}
	return false;
}

/* One generic netlink request of random shape. */
static void fuzz_netlink(struct nl *nl)
{
	uint8_t cmd = below(VSOCK_CIDREG_CMD_MAX + 3);
	uint32_t payload[8];
	struct nl_msg m;
	int n, i, r;

	nl_msg_init(&m, nl, cmd, below(3) ? 0 : NLM_F_DUMP);
	for (n = below(5); n > 0; n--) {
		for (i = 0; i < 8; i++)
			payload[i] = interesting();
		nl_put(&m, below(VSOCK_CIDREG_A_MAX + 3),
		       payload, below(4) ? 4 : below(sizeof(payload) + 1));
	}
	r = nl_request(nl, &m, NULL, NULL, NULL);
	__atomic_fetch_add(&sh->calls[1], 1, __ATOMIC_RELAXED);
	if (!r)
		__atomic_fetch_add(&sh->ok[1], 1, __ATOMIC_RELAXED);
	else if (!errno_of_netlink(-r))
		fail("netlink command %u: %s", cmd, strerror(-r));
}

/* Whether the process may open /dev/vhost-vsock (the unprivileged may not). */
static bool may_open_vhost = true;

/* SET_GUEST_CID of a pool CID on one of two devices; sometimes a new one. */
static void fuzz_vhost(int *vfd)
{
	int d = below(2), r;
	__u64 cid = below(8) ? POOL_CID + below(16) : interesting();

	if (may_open_vhost && (!below(16) || vfd[d] < 0)) {
		if (vfd[d] >= 0)
			close(vfd[d]);
		vfd[d] = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC);
		if (vfd[d] < 0) {
			fail("open /dev/vhost-vsock: %s", strerror(errno));
			return;
		}
	}
	r = ioctl(vfd[d], VHOST_VSOCK_SET_GUEST_CID, &cid);
	__atomic_fetch_add(&sh->calls[2], 1, __ATOMIC_RELAXED);
	if (!r)
		__atomic_fetch_add(&sh->ok[2], 1, __ATOMIC_RELAXED);
	else if (errno != EINVAL && errno != EADDRINUSE && errno != EPERM &&
		 errno != EDQUOT)
		fail("SET_GUEST_CID %llu: %s", (unsigned long long)cid,
		     strerror(errno));
}

static void fuzz(int fd, int *vfd, int iterations)
{
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct timeval tv = { .tv_sec = 10 };
	struct nl nl;
	int i;

	if (page == MAP_FAILED || mprotect(page + 4096, 4096, PROT_NONE) ||
	    nl_open(&nl) ||
	    setsockopt(nl.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		fail("setup: %s", strerror(errno));
		return;
	}
	for (i = 0; i < iterations && !errs->count; i++) {
		switch (below(8)) {
		case 0: case 1: case 2: case 3:
			fuzz_ioctl(fd, page + 4096);
			break;
		case 4: case 5:
			fuzz_netlink(&nl);
			break;
		default:
			fuzz_vhost(vfd);
		}
	}
	for (i = 0; i < 2; i++)
		if (vfd[i] >= 0)
			close(vfd[i]);
	nl_close(&nl);
}

/* A fuzzing process: @how 0 root here, 1 root in a netns, 2 a user in a
 * user and net namespace.
 */
static pid_t fuzzer(int fd, int how, uint64_t seed, int iterations)
{
	pid_t pid = fork();
	int vfd[2];

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	rng = seed * 0x9E3779B97F4A7C15ULL + how + 1;
	/* Devices opened first: the unprivileged keeps these two. */
	vfd[0] = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC);
	vfd[1] = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC);
	may_open_vhost = how != 2;
	if (how == 2 && (setresgid(65534, 65534, 65534) ||
			 setresuid(65534, 65534, 65534) ||
			 unshare(CLONE_NEWUSER | CLONE_NEWNET))) {
		fail("user namespace: %s", strerror(errno));
		_exit(1);
	}
	if (how == 1 && unshare(CLONE_NEWNET)) {
		fail("netns: %s", strerror(errno));
		_exit(1);
	}
	/* Its own netns among the fds to name. */
	fds[5] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	fuzz(fd, vfd, iterations);
	_exit(0);
}

FIXTURE(fuzz) {
	int fd;
};

FIXTURE_SETUP(fuzz)
{
	self->fd = reg_ready();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(fuzz)
{
	close(self->fd);
	netns_del("cidreg-fuzz");
}

TEST_F_TIMEOUT(fuzz, every_call_answers_with_a_documented_error, 7200)
{
	const char *s = getenv("CIDREG_FUZZ_SEED");
	const char *n = getenv("CIDREG_FUZZ_ITERATIONS");
	uint64_t seed = s ? strtoull(s, NULL, 0) : 1;
	int iterations = n && atoi(n) > 0 ? atoi(n) : 12000;
	pid_t pids[3];
	long left = -1;
	int i;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	errs = child_errors_new();
	ASSERT_NE(NULL, errs);
	fds[0] = netns_add("cidreg-fuzz");
	ASSERT_LE(0, fds[0]);
	fds[1] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	fds[2] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[3] = -1;
	fds[4] = 9999;
	fds[5] = self->fd;	/* not a netns either */
	ASSERT_EQ(0, reg_set_param("quota", 8));	/* reached, often */
	for (i = 0; i < 3; i++)
		pids[i] = fuzzer(self->fd, i, seed, iterations / 3);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, wait_child(pids[i]));
	TH_LOG("seed %llu, %d calls a process: ioctl %llu (%llu ok), "
	       "netlink %llu (%llu ok), SET_GUEST_CID %llu (%llu ok)",
	       (unsigned long long)seed, iterations / 3,
	       sh->calls[0], sh->ok[0], sh->calls[1], sh->ok[1],
	       sh->calls[2], sh->ok[2]);
	ASSERT_EQ(0, errs->count) TH_LOG("the first error: %s", errs->first);

	/* A reset leaves nothing, once the fuzzers' namespaces have ended. */
	close(fds[0]);
	netns_del("cidreg-fuzz");
	EXPECT_EQ(0, reg_reset(self->fd));
	for (i = 0; i < 600 && (left = nl_entries()) != 0; i++)
		usleep(100 * 1000);
	EXPECT_EQ(0, left);
}

TEST_HARNESS_MAIN
