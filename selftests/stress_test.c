// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: rounds of processes working the module at once, each in its own
 * network namespace, while the mode flips between enforce and audit:
 *
 * - reservers reserve, release, query, reserve-any and transfer in a range
 *   of their own, and keep what they expect the registry to hold; at the
 *   end of a round each checks that the registry lists exactly that for
 *   its netns (each CID and a dump), releases all and checks it is empty;
 * - a churner creates namespaces that reserve CIDs and die with them;
 * - a device worker opens /dev/vhost-vsock, sets a CID (adopted), moves to
 *   another, and closes, checking the adopted entries follow;
 * - a socket worker connects to the reservers' CIDs from its netns, which
 *   enforce refuses (EACCES whenever the mode stayed enforce).
 *
 * Between rounds: nothing is left in the registry, vhost_vsock,
 * vsock_loopback and vsock are unloaded and loaded again under the live
 * hooks, and so is vsock_cidreg. CIDREG_STRESS_ROUNDS (2) rounds of
 * CIDREG_STRESS_SECONDS (10) each: `make check` runs the defaults, `make
 * stress` longer. Reports operations per second, namespaces churned,
 * devices, connects, mode flips and reloads.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/vhost.h>
#include <linux/vm_sockets.h>

#include "kselftest_harness.h"
#include "lib/nl.h"
#include "lib/registry.h"
#include "lib/util.h"

#define RESERVERS	3
#define RANGE		64
#define BASE_RESERVE	20000	/* RESERVERS ranges of RANGE CIDs */
#define BASE_CHURN	30000
#define BASE_DEVICE	40000

struct shared {
	volatile int stop;
	/* The mode flipper's: odd while a change is under way. */
	volatile unsigned int mode_gen;
	volatile int enforce;
	unsigned long long ops;
	unsigned long long churned;
	unsigned long long devices;
	unsigned long long connects;
	unsigned long long flips;
};

static struct shared *sh;

static struct child_errors *errs;

#define fail(...) child_error(errs, __VA_ARGS__)

static void count(unsigned long long *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static int env_int(const char *name, int dflt)
{
	const char *v = getenv(name);

	return v && atoi(v) > 0 ? atoi(v) : dflt;
}

/* A worker: a child in a netns of its own, killed with the test. */
static pid_t worker(void (*fn)(int), int arg)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (unshare(CLONE_NEWNET)) {
		fail("unshare: %s", strerror(errno));
		_exit(1);
	}
	srandom(arg * 7919 + getpid());
	fn(arg);
	_exit(0);
}

static void dump_cb(const struct nlmsghdr *h, void *arg)
{
	(*(int *)arg)++;
}

/* Entries a dump lists for the caller's netns, or -errno. */
static int dump_own(void)
{
	int nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), n = 0, err;
	struct nl_msg m;
	struct nl nl;

	if (nsfd < 0 || nl_open(&nl))
		return -EIO;
	nl_msg_init(&m, &nl, VSOCK_CIDREG_CMD_GET, NLM_F_DUMP);
	nl_put_u32(&m, VSOCK_CIDREG_A_NETNS_FD, nsfd);
	err = nl_request(&nl, &m, dump_cb, &n, NULL);
	nl_close(&nl);
	close(nsfd);
	return err ?: n;
}

static void reserver(int idx)
{
	__u32 base = BASE_RESERVE + idx * RANGE, cid;
	int fd = reg_open(), self = open("/proc/self/ns/net", O_RDONLY);
	struct vsock_cidreg_entry e;
	bool held[RANGE] = { false };
	int i, n, nheld;
	long long r;

	if (fd < 0 || self < 0) {
		fail("reserver %d: open: %s", idx, strerror(errno));
		return;
	}
	while (!sh->stop) {
		i = random() % RANGE;
		cid = base + i;
		switch (random() % 5) {
		case 0:
			r = reg_reserve_cid(fd, cid,
					    VSOCK_CIDREG_RESERVE_PERSISTENT);
			if (r != (held[i] ? -EADDRINUSE : (long long)cid))
				fail("reserve %u: %lld (held %d)", cid, r,
				     held[i]);
			held[i] = true;
			break;
		case 1:
			r = reg_release(fd, cid);
			if (r != (held[i] ? 0 : -ENOENT))
				fail("release %u: %lld (held %d)", cid, r,
				     held[i]);
			held[i] = false;
			break;
		case 2:
			r = reg_query(fd, cid, &e);
			if (r != (held[i] ? 0 : -ENOENT) ||
			    (!r && !(e.info & VSOCK_CIDREG_INFO_OWN)))
				fail("query %u: %lld (held %d)", cid, r,
				     held[i]);
			break;
		case 3:
			r = reg_reserve_any(fd, base, base + RANGE - 1,
					    VSOCK_CIDREG_RESERVE_PERSISTENT);
			for (n = 0, nheld = 0; n < RANGE; n++)
				nheld += held[n];
			if (r == -ENOSPC && nheld == RANGE)
				break;
			if (r < (long long)base || r >= (long long)base + RANGE ||
			    held[r - base])
				fail("reserve any: %lld", r);
			else
				held[r - base] = true;
			break;
		default:
			r = reg_transfer(fd, cid, self,
					 VSOCK_CIDREG_TRANSFER_PERSISTENT);
			if (r != (held[i] ? 0 : -ENOENT))
				fail("transfer %u: %lld (held %d)", cid, r,
				     held[i]);
			break;
		}
		count(&sh->ops);
	}
	/* What it holds is what the registry lists for its netns. */
	for (i = 0, nheld = 0; i < RANGE; i++) {
		nheld += held[i];
		if (reg_is_reserved(fd, base + i) != held[i])
			fail("end: %u reserved %d, held %d", base + i,
			     reg_is_reserved(fd, base + i), held[i]);
	}
	n = dump_own();
	if (n != nheld)
		fail("end: dump lists %d, held %d", n, nheld);
	r = reg_release_all(fd, 0, 0);
	if (r != nheld || dump_own() != 0)
		fail("end: released %lld of %d", r, nheld);
	close(self);
	close(fd);
}

/* Namespaces that reserve and die with their CIDs. */
static void churner(int unused)
{
	int fd = reg_open(), i = 0;

	while (!sh->stop) {
		pid_t pid = fork();

		if (pid == 0) {
			if (unshare(CLONE_NEWNET))
				_exit(1);
			for (int k = 0; k < 3; k++)
				reg_reserve_cid(fd, BASE_CHURN + (i * 3 + k) % 3000,
						VSOCK_CIDREG_RESERVE_PERSISTENT);
			_exit(0);
		}
		if (pid < 0 || wait_child(pid))
			fail("churn: a namespace failed");
		count(&sh->churned);
		i++;
	}
	close(fd);
}

static int set_cid(int vfd, __u64 cid)
{
	return ioctl(vfd, VHOST_VSOCK_SET_GUEST_CID, &cid) ? -errno : 0;
}

/* Devices that adopt a CID, move to another and close. */
static void devices(int unused)
{
	int fd = reg_open();
	struct vsock_cidreg_entry e;

	while (!sh->stop) {
		int vfd = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC);
		__u32 a = BASE_DEVICE + random() % RANGE;
		__u32 b = BASE_DEVICE + RANGE + random() % RANGE;
		int r1, r2;

		if (vfd < 0) {
			fail("open /dev/vhost-vsock: %s", strerror(errno));
			break;
		}
		/* Adopted in audit and enforce alike (strict is off). */
		r1 = set_cid(vfd, a);
		r2 = set_cid(vfd, b);
		if (r1 || r2)
			fail("SET_GUEST_CID %u, %u: %d, %d", a, b, r1, r2);
		else if (reg_query(fd, a, &e) != -ENOENT ||
			 reg_query(fd, b, &e) ||
			 e.kind != VSOCK_CIDREG_KIND_ADOPTED)
			fail("device at %u, then %u: entries do not follow",
			     a, b);
		close(vfd);
		if (reg_query(fd, b, &e) != -ENOENT)
			fail("device closed: %u still adopted", b);
		count(&sh->devices);
	}
	close(fd);
}

/* Connects to the reservers' CIDs, which it does not own. */
static void connector(int unused)
{
	while (!sh->stop) {
		struct sockaddr_vm a = {
			.svm_family = AF_VSOCK, .svm_port = 1234,
			.svm_cid = BASE_RESERVE + random() % (RESERVERS * RANGE),
		};
		unsigned int gen = sh->mode_gen;
		int enforce = sh->enforce, s, r, err;

		s = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (s < 0) {
			fail("socket: %s", strerror(errno));
			break;
		}
		r = connect(s, (struct sockaddr *)&a, sizeof(a));
		err = errno;
		close(s);
		if (!(gen & 1) && gen == sh->mode_gen && enforce &&
		    (r == 0 || err != EACCES))
			fail("connect to %u under enforce: %s", a.svm_cid,
			     r ? strerror(err) : "connected");
		count(&sh->connects);
	}
}

static int set_mode(int enforce)
{
	return reg_set_param_str("mode", enforce ? "enforce" : "audit");
}

static void flip_modes(int seconds)
{
	struct timespec end, now;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += seconds;
	do {
		usleep(200 * 1000);
		sh->mode_gen++;		/* odd: changing */
		__sync_synchronize();
		if (set_mode(!sh->enforce))
			fail("mode: cannot set");
		sh->enforce = !sh->enforce;
		__sync_synchronize();
		sh->mode_gen++;
		count(&sh->flips);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec ||
		 (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
}

FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

/* The harness's limit: make stress's longest runs fit. */
TEST_F_TIMEOUT(stress, registry_hooks_and_modules_hold_under_load, 7200)
{
	int rounds = env_int("CIDREG_STRESS_ROUNDS", 2);
	int seconds = env_int("CIDREG_STRESS_SECONDS", 10);
	int round, i, n, fd, reloads = 0;
	pid_t pids[RESERVERS + 3];
	struct timespec t0, t1;
	double elapsed = 0;
	long left;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	errs = child_errors_new();
	ASSERT_NE(NULL, errs);
	for (round = 0; round < rounds; round++) {
		fd = reg_ready();
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, set_mode(1));
		sh->enforce = 1;
		sh->stop = 0;
		n = 0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (i = 0; i < RESERVERS; i++)
			pids[n++] = worker(reserver, i);
		pids[n++] = worker(churner, 0);
		pids[n++] = worker(devices, 0);
		pids[n++] = worker(connector, 0);
		flip_modes(seconds);
		sh->stop = 1;
		for (i = 0; i < n; i++)
			EXPECT_EQ(0, wait_child(pids[i]));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		elapsed += t1.tv_sec - t0.tv_sec +
			   (t1.tv_nsec - t0.tv_nsec) / 1e9;
		ASSERT_EQ(0, errs->count) TH_LOG("round %d: %d errors, the first: %s",
						round, errs->count, errs->first);

		/* Nothing left once the namespaces have ended. */
		ASSERT_EQ(0, set_mode(1));
		for (i = 0; i < 600 && (left = nl_entries()) != 0; i++)
			usleep(100 * 1000);
		ASSERT_EQ(0, left);
		close(fd);

		/* vsock's modules and ours, out and in under live hooks. */
		ASSERT_EQ(0, run_cmd("for i in $(seq 120); do "
				     "modprobe -r vhost_vsock vsock_loopback vsock 2>/dev/null && exit; "
				     "sleep 0.5; done; exit 1"));
		ASSERT_EQ(0, run_cmd("modprobe vsock && modprobe vsock_loopback && "
				     "modprobe vhost_vsock"));
		ASSERT_EQ(0, module_unload("vsock_cidreg"));
		ASSERT_EQ(0, module_load("vsock_cidreg"));
		reloads++;
	}
	TH_LOG("%d rounds of %d s: %llu registry operations (%.0f/s), "
	       "%llu namespaces churned, %llu devices, %llu connects, "
	       "%llu mode flips, %d reloads of vsock, vhost_vsock and vsock_cidreg",
	       rounds, seconds, sh->ops, sh->ops / elapsed, sh->churned,
	       sh->devices, sh->connects, sh->flips, reloads);
}

TEST_HARNESS_MAIN
