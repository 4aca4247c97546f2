// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: each allocation on an operation's path fails in turn,
 * the first, then the second, and so on until the operation makes no more
 * (/proc/thread-self/fail-nth: slab and page allocations, GFP_KERNEL ones
 * included). Every run must end in success or in the operation's
 * documented error, and leave the registry as it was or as a success
 * leaves it; the debug kernel's kmemleak, KASAN and lockdep stay silent.
 * Each test reports how many points it failed.
 *
 * Needs CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC and
 * FAULT_INJECTION_DEBUG_FS: the debug kernels of selftests/vm, which alone
 * run it (DEBUG_ONLY in the Makefile).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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
#include "lib/vhost.h"

#define CID	5150
#define MAX_POINTS	2000	/* far more than any path here makes */

static int fail_nth_fd = -1;

/* The Nth fault-injection check of this thread fails; 0: none. */
static int fail_nth(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	return pwrite(fail_nth_fd, buf, len, 0) == len ? 0 : -1;
}

/* Checks left before the fault: 0 once it was injected. */
static int fail_nth_left(void)
{
	char buf[16] = "";

	if (pread(fail_nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return atoi(buf);
}

FIXTURE(fault) {
	int fd;
	int nsfd;
	struct nl nl;
};

static int nl_open_timed(struct nl *nl);

FIXTURE_SETUP(fault)
{
	self->fd = reg_ready();
	ASSERT_LE(0, self->fd);
	self->nsfd = netns_add("cidreg-fault");
	ASSERT_LE(0, self->nsfd);
	ASSERT_EQ(0, nl_open_timed(&self->nl));
	ASSERT_EQ(0, run_cmd("echo N > /sys/kernel/debug/failslab/ignore-gfp-wait && "
			     "echo N > /sys/kernel/debug/fail_page_alloc/ignore-gfp-wait && "
			     "echo 0 > /sys/kernel/debug/fail_page_alloc/min-order && "
			     "echo 0 > /sys/kernel/debug/failslab/verbose && "
			     "echo 0 > /sys/kernel/debug/fail_page_alloc/verbose"))
		TH_LOG("no fault injection in this kernel (CONFIG_FAILSLAB...)");
	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fail_nth_fd);
}

FIXTURE_TEARDOWN(fault)
{
	if (fail_nth_fd >= 0)
		close(fail_nth_fd);
	nl_close(&self->nl);
	close(self->nsfd);
	netns_del("cidreg-fault");
	EXPECT_EQ(0, reg_reset(self->fd));
	close(self->fd);
}

/*
 * Runs @op with the Nth check failing, N = 1, 2, ... until it runs through
 * without a fault; @check judges each outcome (0: fine) and undoes a
 * success. Returns how many points were failed, or -1 (with a log) when a
 * check fails.
 */
#define FAULT_LOOP(op, check)						\
	({								\
		int __n, __hit = -1, __r, __left;			\
		for (__n = 1; __n < MAX_POINTS; __n++) {		\
			ASSERT_EQ(0, fail_nth(__n));			\
			__r = (op);					\
			__left = fail_nth_left();			\
			ASSERT_EQ(0, fail_nth(0));			\
			if (check(self, __r, __left == 0)) {		\
				TH_LOG("point %d: %d", __n, __r);	\
				break;					\
			}						\
			if (__left) {					\
				__hit = __n - 1;			\
				break;					\
			}						\
		}							\
		__hit;							\
	})

static long entries_before;

/* RESERVE: the CID reserved, or ENOMEM and nothing. */
static int check_reserve(FIXTURE_DATA(fault) *self, long long r, int faulted)
{
	if (r == CID)
		return reg_release(self->fd, CID) ||
		       nl_entries() != entries_before;
	return r != -ENOMEM || !faulted || reg_is_reserved(self->fd, CID) ||
	       nl_entries() != entries_before;
}

TEST_F_TIMEOUT(fault, reserve_fails_whole_or_succeeds_whole, 600)
{
	int hit;

	entries_before = nl_entries();
	ASSERT_LE(0, entries_before);
	hit = FAULT_LOOP(reg_reserve_cid(self->fd, CID, 0), check_reserve);
	EXPECT_LT(0, hit);
	TH_LOG("reserve: %d points failed", hit);
	hit = FAULT_LOOP(reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = CID, .netns_fd = self->nsfd,
		.flags = VSOCK_CIDREG_RESERVE_NETNS |
			 VSOCK_CIDREG_RESERVE_PERSISTENT }), check_reserve);
	EXPECT_LT(0, hit);
	TH_LOG("reserve for another netns: %d points failed", hit);
}

/* RESERVE_ANY in [CID, CID]: that CID, or ENOMEM and nothing. */
TEST_F_TIMEOUT(fault, reserve_any_fails_whole_or_succeeds_whole, 600)
{
	int hit;

	entries_before = nl_entries();
	hit = FAULT_LOOP(reg_reserve_any(self->fd, CID, CID, 0),
			 check_reserve);
	EXPECT_LT(0, hit);
	TH_LOG("reserve any: %d points failed", hit);
}

/* TRANSFER: owned by the target, or ENOMEM and still by the initial netns. */
static int check_transfer(FIXTURE_DATA(fault) *self, long long r, int faulted)
{
	struct vsock_cidreg_entry e;

	if (reg_query(self->fd, CID, &e))
		return 1;
	if (r == 0)
		return !!(e.info & VSOCK_CIDREG_INFO_OWN) ||
		       /* back to the initial netns, for the next round */
		       reg_release(self->fd, CID) ||
		       reg_reserve_cid(self->fd, CID,
				       VSOCK_CIDREG_RESERVE_PERSISTENT) != CID;
	return r != -ENOMEM || !faulted || !(e.info & VSOCK_CIDREG_INFO_OWN);
}

/*
 * The netns of an unprivileged user's own user namespace, which a
 * transfer into charges to that user (an allocation on the path); its
 * process is *@pid.
 */
static int pod_netns(pid_t *pid)
{
	char path[64], c;
	int p[2];

	if (pipe(p))
		return -1;
	*pid = fork();
	if (*pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534) ||
		    unshare(CLONE_NEWUSER | CLONE_NEWNET))
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	if (*pid < 0 || read(p[0], &c, 1) != 1)
		return -1;
	close(p[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", *pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

TEST_F_TIMEOUT(fault, transfer_fails_whole_or_succeeds_whole, 600)
{
	pid_t pod;
	int hit;

	close(self->nsfd);
	self->nsfd = pod_netns(&pod);
	ASSERT_LE(0, self->nsfd);
	ASSERT_EQ(CID, reg_reserve_cid(self->fd, CID,
				       VSOCK_CIDREG_RESERVE_PERSISTENT));
	hit = FAULT_LOOP(reg_transfer(self->fd, CID, self->nsfd,
				      VSOCK_CIDREG_TRANSFER_PERSISTENT),
			 check_transfer);
	EXPECT_LT(0, hit);
	TH_LOG("transfer: %d points failed", hit);
	kill(pod, SIGKILL);
	waitpid(pod, NULL, 0);
}

/*
 * SET_GUEST_CID of an unreserved CID: adopted and attached to the device
 * (and gone with it), or ENOMEM and neither set nor adopted.
 */
static int vfd = -1;

static int set_cid(__u64 cid)
{
	return ioctl(vfd, VHOST_VSOCK_SET_GUEST_CID, &cid) ? -errno : 0;
}

static int check_adopt(FIXTURE_DATA(fault) *self, long long r, int faulted)
{
	struct vsock_cidreg_entry e;
	int bad;

	if (r == 0) {
		bad = reg_query(self->fd, CID, &e) ||
		      e.kind != VSOCK_CIDREG_KIND_ADOPTED ||
		      !(e.info & VSOCK_CIDREG_INFO_ATTACHED);
	} else {
		bad = r != -ENOMEM || !faulted ||
		      reg_query(self->fd, CID, &e) != -ENOENT;
	}
	/* A fresh device for the next round; the adopted entry ends. */
	close(vfd);
	vfd = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC);
	return bad || vfd < 0 || reg_query(self->fd, CID, &e) != -ENOENT ||
	       nl_entries() != entries_before;
}

TEST_F_TIMEOUT(fault, adoption_fails_whole_or_succeeds_whole, 600)
{
	int hit;

	entries_before = nl_entries();
	vfd = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, vfd);
	hit = FAULT_LOOP(set_cid(CID), check_adopt);
	EXPECT_LT(0, hit);
	TH_LOG("SET_GUEST_CID adopting: %d points failed", hit);
	close(vfd);
}

/* Netlink SET_CONFIG: applied whole, or an error and unchanged. */
static int set_quota(struct nl *nl, uint32_t quota)
{
	struct nl_msg m;

	nl_msg_init(&m, nl, VSOCK_CIDREG_CMD_SET_CONFIG, 0);
	nl_put_u32(&m, VSOCK_CIDREG_A_QUOTA, quota);
	nl_put_u32(&m, VSOCK_CIDREG_A_CID_MIN, 100);
	return nl_request(nl, &m, NULL, NULL, NULL);
}

static int nl_open_timed(struct nl *nl)
{
	struct timeval tv = { .tv_sec = 10 };

	if (nl_open(nl))
		return -1;
	/* An answer lost to a fault must not hang the test. */
	return setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static int check_config(FIXTURE_DATA(fault) *self, long long r, int faulted)
{
	bool applied = !run_cmd("P=/sys/module/vsock_cidreg/parameters; "
				"grep -qx 77 $P/quota && grep -qx 100 $P/cid_min");
	bool unchanged = !run_cmd("P=/sys/module/vsock_cidreg/parameters; "
				  "grep -qx 256 $P/quota && grep -qx 3 $P/cid_min");
	bool bad;

	/*
	 * A lost answer (ENOBUFS, or the receive timing out) says nothing of
	 * the change: whole or none, either is fine then.
	 */
	if (r == 0)
		bad = !applied;
	else if (r == -ENOMEM)
		bad = !unchanged || !faulted;
	else
		bad = !applied && !unchanged;
	/* Undo without faults, in a fresh socket: this one may be in error. */
	nl_close(&self->nl);
	return bad || nl_open_timed(&self->nl) ||
	       reg_set_param("quota", 256) || reg_set_param("cid_min", 3);
}

TEST_F_TIMEOUT(fault, set_config_applies_whole_or_not_at_all, 600)
{
	int hit;

	ASSERT_EQ(0, reg_set_param("quota", 256));
	ASSERT_EQ(0, reg_set_param("cid_min", 3));
	hit = FAULT_LOOP(set_quota(&self->nl, 77), check_config);
	EXPECT_LT(0, hit);
	TH_LOG("SET_CONFIG: %d points failed", hit);
}

TEST_HARNESS_MAIN
