// SPDX-License-Identifier: GPL-2.0
/*
 * The CID registry through /dev/vsock-cidreg: every ioctl, flag and errno
 * of include/uapi/linux/vsock_cidreg.h, leases and their lifetime,
 * namespaces, permissions, quotas, concurrency, and vhost-held CIDs.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/registry.h"
#include "lib/util.h"
#include "lib/vhost.h"

#define U32_MAX_CID	0xffffffffU

FIXTURE(registry) {
	int fd;
};

/*
 * The module stays loaded from test to test (loading it costs seconds on
 * the debug kernel under TCG); each test starts from an empty registry
 * and the default parameters, and leaves them so.
 */
FIXTURE_SETUP(registry)
{
	if (!module_loaded("vsock_cidreg"))
		ASSERT_EQ(0, module_load("vsock_cidreg"));
	self->fd = reg_open();
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", REG_DEVICE, strerror(errno));
	ASSERT_EQ(0, reg_reset(self->fd));
}

FIXTURE_TEARDOWN(registry)
{
	if (self->fd >= 0) {
		EXPECT_EQ(0, reg_reset(self->fd));
		close(self->fd);
	}
}

static ino_t fd_inode(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

/*
 * Network namespaces are freed asynchronously: wait up to 60 s for none of
 * [first, last) to be reserved.
 */
static int wait_unreserved_range(int fd, __u32 first, __u32 last)
{
	int i;

	for (i = 0; i < 600; i++) {
		while (first < last && reg_is_reserved(fd, first) == 0)
			first++;
		if (first == last)
			return 0;
		usleep(100 * 1000);
	}
	return -1;
}

static int wait_unreserved(int fd, __u32 cid)
{
	return wait_unreserved_range(fd, cid, cid + 1);
}

/* Reserve */

TEST_F(registry, reserve_given_cid_returns_it)
{
	EXPECT_EQ(1000, reg_reserve_cid(self->fd, 1000, 0));
	EXPECT_EQ(1, reg_is_reserved(self->fd, 1000));
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1001));
}

TEST_F(registry, reserve_refuses_wellknown_cids)
{
	__u32 cids[] = { 0, 1, 2, U32_MAX_CID };
	unsigned int i;

	for (i = 0; i < sizeof(cids) / sizeof(cids[0]); i++) {
		__u32 cid = cids[i];

		EXPECT_EQ(-EINVAL, reg_reserve_cid(self->fd, cid, 0))
			TH_LOG("CID %u", cid);
	}
}

TEST_F(registry, reserve_of_a_reserved_cid_is_eaddrinuse)
{
	int fd2 = reg_open();

	ASSERT_LE(0, fd2);
	EXPECT_EQ(1000, reg_reserve_cid(self->fd, 1000, 0));
	EXPECT_EQ(-EADDRINUSE, reg_reserve_cid(self->fd, 1000, 0));
	EXPECT_EQ(-EADDRINUSE, reg_reserve_cid(fd2, 1000,
					       VSOCK_CIDREG_RESERVE_PERSISTENT));
	close(fd2);
}

TEST_F(registry, reserve_any_random_stays_in_range_and_varies)
{
	long long seen[16], cid;
	int i, j, distinct = 0;

	for (i = 0; i < 16; i++) {
		cid = reg_reserve_any(self->fd, 10000, 10000000, 0);
		ASSERT_LE(10000, cid);
		ASSERT_GE(10000000, cid);
		ASSERT_EQ(0, reg_release(self->fd, cid));
		for (j = 0; j < i && seen[j] != cid; j++)
			;
		distinct += j == i;
		seen[i] = cid;
	}
	EXPECT_LE(12, distinct) TH_LOG("only %d distinct CIDs in 16", distinct);
}

TEST_F(registry, reserve_any_lowest_takes_the_lowest_free_cid)
{
	__u32 f = VSOCK_CIDREG_RESERVE_LOWEST;

	ASSERT_EQ(100, reg_reserve_cid(self->fd, 100, 0));
	ASSERT_EQ(101, reg_reserve_cid(self->fd, 101, 0));
	EXPECT_EQ(102, reg_reserve_any(self->fd, 100, 200, f));
	EXPECT_EQ(0, reg_release(self->fd, 101));
	EXPECT_EQ(101, reg_reserve_any(self->fd, 100, 200, f));
	EXPECT_EQ(103, reg_reserve_any(self->fd, 100, 200, f));
}

TEST_F(registry, reserve_any_covers_the_range_edges)
{
	EXPECT_EQ(3, reg_reserve_any(self->fd, 3, 3, 0));
	EXPECT_EQ(500, reg_reserve_any(self->fd, 500, 500, 0));
	EXPECT_EQ(-ENOSPC, reg_reserve_any(self->fd, 500, 500, 0));
	EXPECT_EQ(U32_MAX_CID - 1,
		  reg_reserve_any(self->fd, U32_MAX_CID - 1, U32_MAX_CID - 1, 0));
	EXPECT_EQ(U32_MAX_CID - 2,
		  reg_reserve_any(self->fd, U32_MAX_CID - 2, U32_MAX_CID - 1, 0));
}

TEST_F(registry, reserve_any_refuses_bad_ranges)
{
	EXPECT_EQ(-EINVAL, reg_reserve_any(self->fd, 600, 599, 0));
	EXPECT_EQ(-EINVAL, reg_reserve_any(self->fd, 2, 599, 0));
	EXPECT_EQ(-EINVAL, reg_reserve_any(self->fd, 600, U32_MAX_CID, 0));
}

TEST_F(registry, reserve_any_in_an_exhausted_range_is_enospc)
{
	int i, hits = 0;
	long long cid;
	char seen[10] = {};

	for (i = 0; i < 10; i++) {
		cid = reg_reserve_any(self->fd, 300, 309, 0);
		ASSERT_LE(300, cid);
		ASSERT_GE(309, cid);
		hits += !seen[cid - 300]++;
	}
	EXPECT_EQ(10, hits);
	EXPECT_EQ(-ENOSPC, reg_reserve_any(self->fd, 300, 309, 0));
	EXPECT_EQ(-ENOSPC, reg_reserve_any(self->fd, 300, 309,
					   VSOCK_CIDREG_RESERVE_LOWEST));
}

TEST_F(registry, reserve_any_defaults_to_the_module_range)
{
	long long a, b;

	ASSERT_EQ(0, reg_set_param("cid_min", 7000));
	ASSERT_EQ(0, reg_set_param("cid_max", 7001));
	a = reg_reserve_any(self->fd, 0, 0, 0);
	b = reg_reserve_any(self->fd, 0, 0, 0);
	EXPECT_EQ(7000 + 7001, a + b);
	EXPECT_EQ(-ENOSPC, reg_reserve_any(self->fd, 0, 0, 0));
}

/*
 * The parameters go through the validators netlink uses: a write that
 * netlink would refuse is refused, and changes nothing.
 */
TEST_F(registry, module_parameters_are_validated_as_netlink_validates_them)
{
	EXPECT_EQ(-EINVAL, reg_set_param("cid_min", 0));
	EXPECT_EQ(-EINVAL, reg_set_param("cid_min", 2));
	EXPECT_EQ(-EINVAL, reg_set_param("cid_max", 4294967295UL));
	ASSERT_EQ(0, reg_set_param("cid_min", 20));
	EXPECT_EQ(-EINVAL, reg_set_param("cid_max", 10));
	EXPECT_EQ(-EINVAL, reg_set_param_str("protected_ports", "22,4294967295"));
	EXPECT_EQ(-EINVAL, reg_set_param_str("mode", "enforcing"));
	EXPECT_EQ(-EINVAL, reg_set_param_str("strict", "maybe"));
	EXPECT_EQ(0, run_cmd("P=/sys/module/vsock_cidreg/parameters; "
			     "grep -qx 20 $P/cid_min && "
			     "grep -qx 4294967294 $P/cid_max && "
			     "grep -qx '' $P/protected_ports && "
			     "grep -qx enforce $P/mode && grep -qx N $P/strict"));
	EXPECT_EQ(0, reg_set_param("cid_min", 3));
}

/* Leases and persistence */

TEST_F(registry, lease_ends_when_its_fd_is_closed)
{
	int fd2 = reg_open();

	ASSERT_LE(0, fd2);
	ASSERT_EQ(1234, reg_reserve_cid(fd2, 1234, 0));
	EXPECT_EQ(1, reg_is_reserved(self->fd, 1234));
	close(fd2);
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1234));
}

TEST_F(registry, lease_survives_dup_until_the_last_fd_closes)
{
	int fd2 = reg_open(), fd3;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(1235, reg_reserve_cid(fd2, 1235, 0));
	fd3 = dup(fd2);
	ASSERT_LE(0, fd3);
	close(fd2);
	EXPECT_EQ(1, reg_is_reserved(self->fd, 1235));
	close(fd3);
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1235));
}

TEST_F(registry, lease_is_shared_with_a_forked_child_until_both_let_go)
{
	int fd2 = reg_open(), go[2];
	char c;
	pid_t pid;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(1300, reg_reserve_cid(fd2, 1300, 0));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(go[1]);
		_exit(read(go[0], &c, 1) == 1 ? 0 : 1);
	}
	close(go[0]);
	close(fd2);
	EXPECT_EQ(1, reg_is_reserved(self->fd, 1300)) TH_LOG("the child holds it");
	ASSERT_EQ(1, write(go[1], "x", 1));
	EXPECT_EQ(0, wait_child(pid));
	close(go[1]);
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1300));
}

TEST_F(registry, persistent_reservation_survives_close_and_ends_on_release)
{
	struct vsock_cidreg_entry e;
	int fd2 = reg_open();

	ASSERT_LE(0, fd2);
	ASSERT_EQ(1400, reg_reserve_cid(fd2, 1400, VSOCK_CIDREG_RESERVE_PERSISTENT));
	close(fd2);
	ASSERT_EQ(0, reg_query(self->fd, 1400, &e));
	EXPECT_EQ((__u32)VSOCK_CIDREG_KIND_PERSISTENT, e.kind);
	EXPECT_EQ(0, reg_release(self->fd, 1400));
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1400));
}

/* Release */

TEST_F(registry, release_of_an_unreserved_cid_is_enoent)
{
	EXPECT_EQ(-ENOENT, reg_release(self->fd, 1450));
}

TEST_F(registry, release_all_ends_only_the_chosen_netns)
{
	__u32 p = VSOCK_CIDREG_RESERVE_PERSISTENT;
	int nsfd = netns_add("cidreg-rel");

	ASSERT_LE(0, nsfd);
	ASSERT_EQ(1500, reg_reserve_cid(self->fd, 1500, p));
	ASSERT_EQ(1501, reg_reserve_cid(self->fd, 1501, 0));
	ASSERT_EQ(1502, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = 1502, .netns_fd = nsfd,
		.flags = p | VSOCK_CIDREG_RESERVE_NETNS }));
	EXPECT_EQ(2, reg_release_all(self->fd, 0, 0));
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1500));
	EXPECT_EQ(1, reg_is_reserved(self->fd, 1502));
	EXPECT_EQ(1, reg_release_all(self->fd, VSOCK_CIDREG_RELEASE_NETNS, nsfd));
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1502));
	close(nsfd);
	netns_del("cidreg-rel");
}

TEST_F(registry, release_every_netns_ends_all_reservations)
{
	int nsfd = netns_add("cidreg-every");

	ASSERT_LE(0, nsfd);
	ASSERT_EQ(1550, reg_reserve_cid(self->fd, 1550, 0));
	ASSERT_EQ(1551, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = 1551, .netns_fd = nsfd,
		.flags = VSOCK_CIDREG_RESERVE_NETNS }));
	EXPECT_EQ(2, reg_release_all(self->fd, VSOCK_CIDREG_RELEASE_EVERY_NETNS, 0));
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1551));
	close(nsfd);
	netns_del("cidreg-every");
}

/* Namespaces */

TEST_F(registry, netns_destroyed_frees_its_cids_and_only_its)
{
	__u32 p = VSOCK_CIDREG_RESERVE_PERSISTENT;
	int nsfd = netns_add("cidreg-gone");

	ASSERT_LE(0, nsfd);
	ASSERT_EQ(1600, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = 1600, .netns_fd = nsfd,
		.flags = p | VSOCK_CIDREG_RESERVE_NETNS }));
	ASSERT_EQ(1601, reg_reserve_cid(self->fd, 1601, p));
	close(nsfd);
	netns_del("cidreg-gone");
	EXPECT_EQ(0, wait_unreserved(self->fd, 1600))
		TH_LOG("CID 1600 outlived its netns");
	EXPECT_EQ(1, reg_is_reserved(self->fd, 1601));
}

TEST_F(registry, reserve_for_another_netns_records_it_as_owner)
{
	struct vsock_cidreg_entry e;
	int nsfd = netns_add("cidreg-owner");

	ASSERT_LE(0, nsfd);
	ASSERT_EQ(1650, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = 1650, .netns_fd = nsfd,
		.flags = VSOCK_CIDREG_RESERVE_NETNS }));
	ASSERT_EQ(0, reg_query(self->fd, 1650, &e));
	EXPECT_EQ(fd_inode(nsfd), e.netns_ino);
	EXPECT_EQ(0U, e.info & VSOCK_CIDREG_INFO_OWN);
	close(nsfd);
	netns_del("cidreg-owner");
}

TEST_F(registry, query_describes_the_entry)
{
	struct vsock_cidreg_reserve r = { .cid = 1660 };
	struct vsock_cidreg_entry e;
	struct timespec t0, t1;
	long long before, after;

	strcpy(r.label, "kubevirt/default/vm-1");
	clock_gettime(CLOCK_REALTIME, &t0);
	ASSERT_EQ(1660, reg_reserve(self->fd, r));
	clock_gettime(CLOCK_REALTIME, &t1);
	before = t0.tv_sec * 1000000000LL + t0.tv_nsec;
	after = t1.tv_sec * 1000000000LL + t1.tv_nsec;

	ASSERT_EQ(0, reg_query(self->fd, 1660, &e));
	EXPECT_EQ(1660U, e.cid);
	EXPECT_EQ((__u32)VSOCK_CIDREG_KIND_LEASE, e.kind);
	EXPECT_EQ((__u32)VSOCK_CIDREG_INFO_OWN, e.info);
	EXPECT_EQ(netns_inode(-1), e.netns_ino);
	EXPECT_EQ(getpid(), e.creator_pid);
	EXPECT_EQ(0U, e.creator_uid);
	EXPECT_EQ(0, e.holder_pid);
	EXPECT_STREQ("registry_test", e.comm);
	EXPECT_STREQ("kubevirt/default/vm-1", e.label);
	EXPECT_LE(before, (long long)e.ctime_ns);
	EXPECT_GE(after, (long long)e.ctime_ns);
	EXPECT_EQ(-ENOENT, reg_query(self->fd, 1661, &e));
}

/* Transfer */

TEST_F(registry, transfer_with_persistent_hands_a_lease_to_another_netns)
{
	struct vsock_cidreg_entry e;
	int nsfd = netns_add("cidreg-xfer"), fd2 = reg_open();

	ASSERT_LE(0, nsfd);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(1700, reg_reserve_cid(fd2, 1700, 0));
	EXPECT_EQ(0, reg_transfer(fd2, 1700, nsfd,
				  VSOCK_CIDREG_TRANSFER_PERSISTENT));
	close(fd2);
	ASSERT_EQ(0, reg_query(self->fd, 1700, &e));
	EXPECT_EQ(fd_inode(nsfd), e.netns_ino);
	EXPECT_EQ((__u32)VSOCK_CIDREG_KIND_PERSISTENT, e.kind);
	close(nsfd);
	netns_del("cidreg-xfer");
}

TEST_F(registry, transfer_without_persistent_keeps_the_lease)
{
	struct vsock_cidreg_entry e;
	int nsfd = netns_add("cidreg-xfer2"), fd2 = reg_open();

	ASSERT_LE(0, nsfd);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(1710, reg_reserve_cid(fd2, 1710, 0));
	EXPECT_EQ(0, reg_transfer(fd2, 1710, nsfd, 0));
	ASSERT_EQ(0, reg_query(self->fd, 1710, &e));
	EXPECT_EQ((__u32)VSOCK_CIDREG_KIND_LEASE, e.kind);
	EXPECT_EQ(fd_inode(nsfd), e.netns_ino);
	close(fd2);
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1710));
	EXPECT_EQ(-ENOENT, reg_transfer(self->fd, 1710, nsfd, 0));
	close(nsfd);
	netns_del("cidreg-xfer2");
}

/* Quota */

TEST_F(registry, quota_limits_the_reservations_of_each_netns)
{
	int nsfd = netns_add("cidreg-quota");

	ASSERT_LE(0, nsfd);
	ASSERT_EQ(0, reg_set_param("quota", 2));
	EXPECT_EQ(1750, reg_reserve_cid(self->fd, 1750, 0));
	EXPECT_EQ(1751, reg_reserve_cid(self->fd, 1751, 0));
	EXPECT_EQ(-EDQUOT, reg_reserve_cid(self->fd, 1752, 0));
	EXPECT_EQ(-EDQUOT, reg_reserve_any(self->fd, 1760, 1770, 0));
	/* Another netns has its own quota... */
	EXPECT_EQ(1753, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = 1753, .netns_fd = nsfd,
		.flags = VSOCK_CIDREG_RESERVE_NETNS }));
	/* ...which a transfer respects too. */
	EXPECT_EQ(1754, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = 1754, .netns_fd = nsfd,
		.flags = VSOCK_CIDREG_RESERVE_NETNS }));
	EXPECT_EQ(0, reg_release(self->fd, 1751));
	EXPECT_EQ(-EDQUOT, reg_transfer(self->fd, 1750, nsfd, 0));
	EXPECT_EQ(1752, reg_reserve_cid(self->fd, 1752, 0));
	close(nsfd);
	netns_del("cidreg-quota");
}

/* Writes a line to a file in one write(), as /proc's maps want it. */
static int __attribute__((format(printf, 2, 3)))
write_file(const char *path, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	int fd, n, ok;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, buf, n) == n;
	close(fd);
	return ok ? 0 : -1;
}

/*
 * A pod's unprivileged process with a device fd in one child process per
 * netns: it unshares a user and a net namespace and reserves as many as it
 * can, @n tries from @cid; it then keeps them (and its namespaces) until
 * killed. Writes how many it got to @out. With @nest, it first nests
 * @nest user and net namespaces deeper.
 */
static pid_t pod_reserving(int fd, __u32 cid, int n, int nest, int out)
{
	pid_t pid = fork();
	int i, got = 0;

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);	/* the test's end is its end */
	/* setresuid() made it undumpable: its /proc files would be root's. */
	prctl(PR_SET_DUMPABLE, 1);
	for (i = 0; i <= nest; i++) {
		uid_t uid = geteuid();
		gid_t gid = getegid();

		/* Mapped to itself, as root, so that it may nest again. */
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) ||
		    write_file("/proc/self/setgroups", "deny") ||
		    write_file("/proc/self/uid_map", "0 %u 1", uid) ||
		    write_file("/proc/self/gid_map", "0 %u 1", gid)) {
			n = 0;
			got = 200;	/* reported below */
			break;
		}
	}
	for (i = 0; i < n; i++) {
		long long r = reg_reserve_cid(fd, cid + i, 0);

		if (r == cid + i)
			got++;
		else if (r != -EDQUOT)
			got = 100;	/* anything but the quota is wrong */
	}
	if (write(out, &got, sizeof(got)) != sizeof(got))
		_exit(2);
	pause();
	_exit(0);
}

/*
 * The quota is charged up the user-namespace chain, to whoever created
 * each user namespace: an unprivileged user creating namespaces gets one
 * quota for them all, side by side or nested. It once got a fresh quota
 * per netns (4 namespaces, 12 CIDs with quota=3).
 */
TEST_F_TIMEOUT(registry, quota_cannot_be_multiplied_by_creating_namespaces, 120)
{
	int fd = reg_open(), p[2], status;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, reg_set_param("quota", 3));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pid_t pods[5];
		int i, got, total = 0;

		CHILD_CHECK(1, !setresgid(65534, 65534, 65534));
		CHILD_CHECK(2, !setresuid(65534, 65534, 65534));
		/* Four side by side, then one three levels down. */
		for (i = 0; i < 5; i++) {
			pods[i] = pod_reserving(fd, 1900 + 10 * i, 4,
						i == 4 ? 2 : 0, p[1]);
			CHILD_CHECK(3, pods[i] > 0);
			CHILD_CHECK(4, read(p[0], &got, sizeof(got)) ==
				    sizeof(got));
			CHILD_CHECK(10, got <= 3);
			total += got;
		}
		CHILD_CHECK(5, total == 3);
		/* Once they are gone, the quota is whole again. */
		for (i = 0; i < 5; i++) {
			kill(pods[i], SIGKILL);
			waitpid(pods[i], NULL, 0);
		}
		CHILD_CHECK(6, !wait_unreserved_range(fd, 1900, 1950));
		pods[0] = pod_reserving(fd, 1960, 4, 0, p[1]);
		CHILD_CHECK(7, pods[0] > 0);
		CHILD_CHECK(8, read(p[0], &got, sizeof(got)) == sizeof(got));
		kill(pods[0], SIGKILL);
		waitpid(pods[0], NULL, 0);
		CHILD_CHECK(9, got == 3);
		_exit(0);
	}
	status = wait_child(pid);
	EXPECT_EQ(0, status) TH_LOG("failed check %d", status);
	close(p[0]);
	close(p[1]);
	close(fd);
}

/* What a step of a pod does before it reserves (pod_step()). */
enum pod_how {
	POD_USERNS_ROOT,	/* a user and a net namespace, as root */
	POD_USERNS_UID,		/* the same, as uid 1000 */
	POD_NETNS,		/* a net namespace */
	POD_ADOPT,		/* a net namespace, and vhost devices */
};

/*
 * In a child of a pod: @how, then @n CIDs from @cid reserved (with
 * POD_ADOPT: set on vhost-vsock devices, which adopts them). Writes how
 * many it got to @out (200: a step failed, 100: an error but the quota),
 * then keeps them, its namespaces and devices until killed.
 */
static pid_t pod_step(int fd, enum pod_how how, __u32 cid, int n, int out)
{
	pid_t pid = fork();
	int i, got = 0, bad = 0;

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (how == POD_USERNS_UID)
		bad = setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000);
	prctl(PR_SET_DUMPABLE, 1);
	if (!bad && (how == POD_USERNS_ROOT || how == POD_USERNS_UID)) {
		uid_t uid = geteuid();
		gid_t gid = getegid();

		bad = unshare(CLONE_NEWUSER | CLONE_NEWNET) ||
		      write_file("/proc/self/setgroups", "deny") ||
		      write_file("/proc/self/uid_map", "0 %u 1", uid) ||
		      write_file("/proc/self/gid_map", "0 %u 1", gid);
	}
	if (!bad && (how == POD_NETNS || how == POD_ADOPT))
		bad = unshare(CLONE_NEWNET);
	for (i = 0; !bad && i < n; i++) {
		long long r = how == POD_ADOPT ? vhost_vsock_claim(cid + i) :
			      reg_reserve_cid(fd, cid + i, 0);

		if (how == POD_ADOPT ? r >= 0 : r == cid + i)
			got++;
		else if (r != -EDQUOT)
			got = 100;
	}
	if (bad)
		got = 200;
	if (write(out, &got, sizeof(got)) != sizeof(got))
		_exit(2);
	pause();
	_exit(0);
}

/* A pod, as pid 1 of its pid namespace: see the test below. */
static int pod_whole(int fd)
{
	static const enum pod_how hows[] = {
		POD_USERNS_ROOT, POD_USERNS_UID, POD_NETNS, POD_ADOPT,
	};
	int p[2], i, got, want[] = { 1, 0, 0, 0 };
	pid_t steps[4];

	if (pipe(p))
		return 1;
	/* Two of its three in its own netns. */
	if (reg_reserve_cid(fd, 2300, 0) != 2300 ||
	    reg_reserve_cid(fd, 2301, 0) != 2301)
		return 2;
	for (i = 0; i < 4; i++) {
		steps[i] = pod_step(fd, hows[i], 2310 + 10 * i, 2, p[1]);
		if (steps[i] < 0 || read(p[0], &got, sizeof(got)) != sizeof(got))
			return 3;
		if (got != want[i])	/* which step, and what it got (9: an error) */
			return 10 + 10 * i + (got > 9 ? 9 : got);
	}
	for (i = 0; i < 4; i++) {
		kill(steps[i], SIGKILL);
		waitpid(steps[i], NULL, 0);
	}
	/* Once they are gone, the quota is whole again. */
	if (reg_release(fd, 2300) || reg_release(fd, 2301) ||
	    wait_unreserved_range(fd, 2300, 2350))
		return 4;
	steps[0] = pod_step(fd, POD_USERNS_ROOT, 2360, 4, p[1]);
	if (steps[0] < 0 || read(p[0], &got, sizeof(got)) != sizeof(got))
		return 5;
	kill(steps[0], SIGKILL);
	waitpid(steps[0], NULL, 0);
	return got == 3 ? 0 : 6;
}

/*
 * A pod has one quota whatever it does: a pod that runs as root without a
 * user namespace of its own (as most do) in its own pid and net
 * namespaces, with quota=3, gets no more by creating user namespaces
 * (owned by the global root, or by a uid it switches to), net
 * namespaces, or by adopting CIDs with vhost devices in them. It once
 * held 2 + 2 + 2 + 2 + 2 this way: root's user namespaces were never
 * charged, each uid had its own charge, and each netns its own quota.
 */
TEST_F_TIMEOUT(registry, a_pod_has_one_quota_whatever_namespaces_or_uids_it_takes, 120)
{
	int fd = reg_open(), status;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, module_load("vhost_vsock"));
	ASSERT_EQ(0, reg_set_param("quota", 3));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pid_t pod;

		CHILD_CHECK(1, !unshare(CLONE_NEWPID | CLONE_NEWNET));
		pod = fork();
		CHILD_CHECK(2, pod >= 0);
		if (pod == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			_exit(pod_whole(fd));
		}
		_exit(wait_child(pod));
	}
	status = wait_child(pid);
	EXPECT_EQ(0, status)
		TH_LOG("pod check %d (1x a user namespace as root, 2x as uid 1000, 3x a netns, 4x adoption; x: the CIDs it got)",
		       status);
	close(fd);
}

#define MEMCG_ROOT	"/run/cidreg-cgroup"
#define MEMCG		MEMCG_ROOT "/cidreg-test"

static long memcg_current(void)
{
	long v = -1;
	FILE *f = fopen(MEMCG "/memory.current", "r");

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/*
 * Entries are charged to the memory cgroup of whoever made them: 2000
 * reservations from a cgroup of its own raise its memory.current by more
 * than 2000 x 128 bytes (an entry is bigger). They once charged nothing.
 */
TEST_F_TIMEOUT(registry, entries_are_charged_to_the_memory_cgroup_of_their_maker, 120)
{
	int fd = reg_open(), status;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, reg_set_param("quota", 0));
	mkdir(MEMCG_ROOT, 0755);
	if (access(MEMCG_ROOT "/cgroup.controllers", F_OK))
		ASSERT_EQ(0, mount("cgroup2", MEMCG_ROOT, "cgroup2", 0, NULL))
			TH_LOG("cgroup2: %s", strerror(errno));
	ASSERT_EQ(0, write_file(MEMCG_ROOT "/cgroup.subtree_control", "+memory"));
	ASSERT_TRUE(mkdir(MEMCG, 0755) == 0 || errno == EEXIST);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		long before, after;
		int i;

		CHILD_CHECK(1, !write_file(MEMCG "/cgroup.procs", "0"));
		before = memcg_current();
		CHILD_CHECK(2, before > 0);
		for (i = 0; i < 2000; i++)
			CHILD_CHECK(3, reg_reserve_cid(fd, 30000 + i, 0) == 30000 + i);
		after = memcg_current();
		if (after - before < 2000 * 128) {
			fprintf(stderr, "# memory.current %ld, then %ld\n", before, after);
			_exit(4);
		}
		CHILD_CHECK(5, reg_release_all(fd, 0, 0) == 2000);
		CHILD_CHECK(6, !write_file(MEMCG_ROOT "/cgroup.procs", "0"));
		_exit(0);
	}
	status = wait_child(pid);
	EXPECT_EQ(0, status) TH_LOG("failed check %d", status);
	EXPECT_EQ(0, rmdir(MEMCG));
	close(fd);
}

/* Permissions */

TEST_F(registry, unprivileged_user_cannot_open_the_device)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(1, !setresgid(65534, 65534, 65534));
		CHILD_CHECK(2, !setresuid(65534, 65534, 65534));
		CHILD_CHECK(3, reg_open() < 0 && errno == EACCES);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
}

TEST_F(registry, netns_the_caller_does_not_administer_is_refused)
{
	__u32 p = VSOCK_CIDREG_RESERVE_PERSISTENT;
	pid_t pid;

	ASSERT_EQ(1800, reg_reserve_cid(self->fd, 1800, p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vsock_cidreg_entry e;
		int fd = reg_open();
		int initns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

		/* A pod: an unprivileged user in its own user and net ns,
		 * handed an fd of the device.
		 */
		CHILD_CHECK(1, fd >= 0 && initns >= 0);
		CHILD_CHECK(2, !setresgid(65534, 65534, 65534));
		CHILD_CHECK(3, !setresuid(65534, 65534, 65534));
		CHILD_CHECK(4, !unshare(CLONE_NEWUSER | CLONE_NEWNET));
		CHILD_CHECK(5, reg_reserve_cid(fd, 1801, p) == 1801);
		CHILD_CHECK(6, reg_reserve(fd, (struct vsock_cidreg_reserve){
			.cid = 1802, .netns_fd = initns,
			.flags = VSOCK_CIDREG_RESERVE_NETNS }) == -EPERM);
		CHILD_CHECK(7, reg_release(fd, 1800) == -EPERM);
		CHILD_CHECK(8, reg_transfer(fd, 1801, initns, 0) == -EPERM);
		CHILD_CHECK(9, reg_transfer(fd, 1800, initns, 0) == -EPERM);
		CHILD_CHECK(10, reg_release_all(fd, VSOCK_CIDREG_RELEASE_NETNS,
						initns) == -EPERM);
		CHILD_CHECK(11, reg_release_all(fd, VSOCK_CIDREG_RELEASE_EVERY_NETNS,
						0) == -EPERM);
		CHILD_CHECK(12, reg_query(fd, 1800, &e) == 0);
		CHILD_CHECK(13, e.info == VSOCK_CIDREG_INFO_HIDDEN && !e.kind &&
				!e.netns_ino && !e.creator_pid && !e.label[0] &&
				!e.comm[0] && !e.ctime_ns);
		CHILD_CHECK(14, reg_query(fd, 1801, &e) == 0 &&
				e.info == VSOCK_CIDREG_INFO_OWN &&
				e.kind == VSOCK_CIDREG_KIND_PERSISTENT);
		CHILD_CHECK(15, reg_release(fd, 1801) == 0);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid)) TH_LOG("see CHILD_CHECK numbers");
	EXPECT_EQ(1, reg_is_reserved(self->fd, 1800));
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1802));
}

/*
 * Root of a pod that runs without a user namespace of its own: CAP_NET_ADMIN
 * in the initial user namespace (CNI plugins and sidecars have it), no
 * CAP_SYS_ADMIN, an untrusted netns, and the device's fd from a device
 * plugin. It may act on its own netns's entries, and on no other's.
 */
TEST_F(registry, a_pods_cap_net_admin_acts_on_no_other_netns)
{
	__u32 p = VSOCK_CIDREG_RESERVE_PERSISTENT;
	int podb = netns_add("cidreg-podb");
	pid_t pid;

	ASSERT_LE(0, podb);
	ASSERT_EQ(1810, reg_reserve_cid(self->fd, 1810, p));
	/* Pod B's CID, reserved for it by the node agent. */
	ASSERT_EQ(1811, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = 1811, .netns_fd = podb,
		.flags = VSOCK_CIDREG_RESERVE_NETNS | p }));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = reg_open();
		int initns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		int own;

		CHILD_CHECK(1, fd >= 0 && initns >= 0);
		CHILD_CHECK(2, !unshare(CLONE_NEWNET));
		CHILD_CHECK(3, !drop_cap(CAP_SYS_ADMIN));
		own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		CHILD_CHECK(4, own >= 0);
		/* Its own: reserve, transfer a lease to itself, release. */
		CHILD_CHECK(5, reg_reserve_cid(fd, 1812, p) == 1812);
		/* Others': release by number, reserve for, transfer to itself
		 * or away, release a netns, release every netns.
		 */
		CHILD_CHECK(6, reg_release(fd, 1811) == -EPERM);
		CHILD_CHECK(7, reg_release(fd, 1810) == -EPERM);
		CHILD_CHECK(8, reg_reserve(fd, (struct vsock_cidreg_reserve){
			.cid = 1813, .netns_fd = podb,
			.flags = VSOCK_CIDREG_RESERVE_NETNS }) == -EPERM);
		CHILD_CHECK(9, reg_reserve(fd, (struct vsock_cidreg_reserve){
			.cid = 1813, .netns_fd = initns,
			.flags = VSOCK_CIDREG_RESERVE_NETNS }) == -EPERM);
		CHILD_CHECK(10, reg_transfer(fd, 1811, own,
				VSOCK_CIDREG_TRANSFER_PERSISTENT) == -EPERM);
		CHILD_CHECK(11, reg_transfer(fd, 1812, podb, 0) == -EPERM);
		CHILD_CHECK(12, reg_release_all(fd, VSOCK_CIDREG_RELEASE_NETNS,
						podb) == -EPERM);
		CHILD_CHECK(13, reg_release_all(fd, VSOCK_CIDREG_RELEASE_EVERY_NETNS,
						0) == -EPERM);
		CHILD_CHECK(14, reg_release(fd, 1812) == 0);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid)) TH_LOG("see CHILD_CHECK numbers");
	EXPECT_EQ(1, reg_is_reserved(self->fd, 1810));
	EXPECT_EQ(1, reg_is_reserved(self->fd, 1811));
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1813));
	EXPECT_EQ(1, reg_release_all(self->fd, VSOCK_CIDREG_RELEASE_NETNS, podb));
	close(podb);
	netns_del("cidreg-podb");
}

/*
 * The right to configure is the right to act on every netns: a node agent
 * with CAP_SYS_ADMIN in a pod's netns, or with CAP_NET_ADMIN alone in a
 * trusted netns.
 */
TEST_F(registry, an_agent_with_the_right_to_configure_acts_on_any_netns)
{
	int podb = netns_add("cidreg-podb2");
	pid_t pid;
	int i;

	ASSERT_LE(0, podb);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(1820, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
			.cid = 1820, .netns_fd = podb,
			.flags = VSOCK_CIDREG_RESERVE_NETNS |
				 VSOCK_CIDREG_RESERVE_PERSISTENT }));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			int fd = reg_open(), own;

			CHILD_CHECK(1, fd >= 0 && !unshare(CLONE_NEWNET));
			own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
			/* The second time: trusted, and CAP_NET_ADMIN alone. */
			CHILD_CHECK(2, !i || !reg_trust(fd, own, 0));
			CHILD_CHECK(3, !i || !drop_cap(CAP_SYS_ADMIN));
			CHILD_CHECK(4, reg_transfer(fd, 1820, own,
				    VSOCK_CIDREG_TRANSFER_PERSISTENT) == 0);
			CHILD_CHECK(5, reg_release(fd, 1820) == 0);
			CHILD_CHECK(6, reg_reserve(fd, (struct vsock_cidreg_reserve){
				.cid = 1821, .netns_fd = podb,
				.flags = VSOCK_CIDREG_RESERVE_NETNS |
					 VSOCK_CIDREG_RESERVE_PERSISTENT }) == 1821);
			CHILD_CHECK(7, reg_release_all(fd, VSOCK_CIDREG_RELEASE_NETNS,
						       podb) == 1);
			_exit(0);
		}
		EXPECT_EQ(0, wait_child(pid)) TH_LOG("pass %d: see CHILD_CHECK numbers", i);
		EXPECT_EQ(0, reg_is_reserved(self->fd, 1820));
		EXPECT_EQ(0, reg_is_reserved(self->fd, 1821));
	}
	close(podb);
	netns_del("cidreg-podb2");
}

/*
 * Every ioctl caps its struct's size at a page: E2BIG above, before any
 * user memory is read past the size (a size of 4 GiB once had the kernel
 * check it all for zeroes, seconds with the CPU held).
 */
TEST_F(registry, a_struct_size_above_a_page_is_e2big)
{
	unsigned long cmds[] = { VSOCK_CIDREG_IOC_RESERVE,
				 VSOCK_CIDREG_IOC_RELEASE,
				 VSOCK_CIDREG_IOC_QUERY,
				 VSOCK_CIDREG_IOC_TRANSFER,
				 VSOCK_CIDREG_IOC_TRUST,
				 VSOCK_CIDREG_IOC_STATS };
	long page = sysconf(_SC_PAGESIZE);
	__u32 sizes[] = { page + 1, 2 * page, 0xfffffff0 };
	unsigned int i, j;
	/* Two pages of zeroes: a size of page + 1 is all readable. */
	__u32 *buf = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, buf);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		for (j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			memset(buf, 0, 4 * page);
			buf[0] = sizes[j];
			EXPECT_EQ(-1, ioctl(self->fd, cmds[i], buf));
			EXPECT_EQ(E2BIG, errno) TH_LOG("ioctl %u, size %u", i, sizes[j]);
		}
		/* A page is still fine: zeroes past the struct. */
		memset(buf, 0, 4 * page);
		buf[0] = page;
		errno = 0;
		ioctl(self->fd, cmds[i], buf);
		EXPECT_NE(E2BIG, errno) TH_LOG("ioctl %u, size of a page", i);
	}
	munmap(buf, 4 * page);
}

/* The ABI: pointers, sizes, flags, labels */

TEST_F(registry, bad_pointers_are_efault)
{
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	unsigned long cmds[] = { VSOCK_CIDREG_IOC_RESERVE,
				 VSOCK_CIDREG_IOC_RELEASE,
				 VSOCK_CIDREG_IOC_QUERY,
				 VSOCK_CIDREG_IOC_TRANSFER };
	unsigned int i;

	ASSERT_NE(MAP_FAILED, none);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], NULL));
		EXPECT_EQ(EFAULT, errno);
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], none));
		EXPECT_EQ(EFAULT, errno);
	}
	munmap(none, 4096);
}

TEST_F(registry, reserve_whose_result_cannot_be_written_keeps_nothing)
{
	struct vsock_cidreg_reserve *r;

	r = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	r->size = sizeof(*r);
	r->cid = 1900;
	ASSERT_EQ(0, mprotect(r, 4096, PROT_READ));
	EXPECT_EQ(-1, ioctl(self->fd, VSOCK_CIDREG_IOC_RESERVE, r));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1900));
	munmap(r, 4096);
}

TEST_F(registry, struct_smaller_than_ver0_is_einval)
{
	struct vsock_cidreg_reserve r = { .cid = 1910 };
	struct vsock_cidreg_entry e = { .cid = 1910 };

	r.size = VSOCK_CIDREG_RESERVE_SIZE_VER0 - 4;
	EXPECT_EQ(-1, ioctl(self->fd, VSOCK_CIDREG_IOC_RESERVE, &r));
	EXPECT_EQ(EINVAL, errno);
	r.size = 0;
	EXPECT_EQ(-1, ioctl(self->fd, VSOCK_CIDREG_IOC_RESERVE, &r));
	EXPECT_EQ(EINVAL, errno);
	e.size = 4;
	EXPECT_EQ(-1, ioctl(self->fd, VSOCK_CIDREG_IOC_QUERY, &e));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1910));
}

struct reserve_v2 {
	struct vsock_cidreg_reserve v1;
	__u64 future[4];
};

TEST_F(registry, larger_struct_with_zero_tail_is_accepted)
{
	struct reserve_v2 r = { .v1 = { .size = sizeof(r), .cid = 1920 } };

	EXPECT_EQ(0, ioctl(self->fd, VSOCK_CIDREG_IOC_RESERVE, &r));
	EXPECT_EQ(1920U, r.v1.cid);
	EXPECT_EQ(0U, r.future[0]);
	EXPECT_EQ(1, reg_is_reserved(self->fd, 1920));
}

TEST_F(registry, larger_struct_with_nonzero_tail_is_e2big)
{
	struct reserve_v2 r = { .v1 = { .size = sizeof(r), .cid = 1930 } };

	r.future[3] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, VSOCK_CIDREG_IOC_RESERVE, &r));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1930));
}

TEST_F(registry, ioctl_number_with_another_size_still_works)
{
	struct reserve_v2 r = { .v1 = { .size = sizeof(r), .cid = 1935 } };
	unsigned long cmd = _IOWR(VSOCK_CIDREG_IOC_MAGIC, 0x01, struct reserve_v2);

	EXPECT_EQ(0, ioctl(self->fd, cmd, &r));
	EXPECT_EQ(1, reg_is_reserved(self->fd, 1935));
}

TEST_F(registry, unknown_flags_are_einval)
{
	struct vsock_cidreg_release rel = { .size = sizeof(rel), .cid = 1940,
					    .flags = 1U << 31 };
	struct vsock_cidreg_entry e = { .size = sizeof(e), .cid = 1940,
					.flags = 1 };
	int nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, nsfd);
	EXPECT_EQ(-EINVAL, reg_reserve_cid(self->fd, 1940, 1U << 31));
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1940));
	ASSERT_EQ(1940, reg_reserve_cid(self->fd, 1940, 0));
	EXPECT_EQ(-1, ioctl(self->fd, VSOCK_CIDREG_IOC_RELEASE, &rel));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VSOCK_CIDREG_IOC_QUERY, &e));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EINVAL, reg_transfer(self->fd, 1940, nsfd, 1U << 5));
	EXPECT_EQ(1, reg_is_reserved(self->fd, 1940));
	close(nsfd);
}

TEST_F(registry, inconsistent_arguments_are_einval)
{
	struct vsock_cidreg_release rel = { .size = sizeof(rel), .cid = 1950,
					    .flags = VSOCK_CIDREG_RELEASE_ALL };

	EXPECT_EQ(-EINVAL, reg_reserve_cid(self->fd, 1950,
					   VSOCK_CIDREG_RESERVE_ANY));
	EXPECT_EQ(-EINVAL, reg_reserve_cid(self->fd, 1950,
					   VSOCK_CIDREG_RESERVE_LOWEST));
	EXPECT_EQ(-EINVAL, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = 1950, .cid_min = 1000 }));
	EXPECT_EQ(-EINVAL, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = 1950, .netns_fd = 3 }));
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1950));
	ASSERT_EQ(1950, reg_reserve_cid(self->fd, 1950, 0));
	EXPECT_EQ(-1, ioctl(self->fd, VSOCK_CIDREG_IOC_RELEASE, &rel));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(1, reg_is_reserved(self->fd, 1950));
}

TEST_F(registry, bad_netns_fd_is_refused)
{
	int nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, nullfd);
	EXPECT_EQ(-EBADF, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = 1960, .netns_fd = -1,
		.flags = VSOCK_CIDREG_RESERVE_NETNS }));
	EXPECT_EQ(-EINVAL, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = 1960, .netns_fd = nullfd,
		.flags = VSOCK_CIDREG_RESERVE_NETNS }));
	ASSERT_EQ(1960, reg_reserve_cid(self->fd, 1960, 0));
	EXPECT_EQ(-EINVAL, reg_transfer(self->fd, 1960, nullfd, 0));
	EXPECT_EQ(-EBADF, reg_transfer(self->fd, 1960, -1, 0));
	close(nullfd);
}

TEST_F(registry, garbage_labels_are_einval)
{
	struct vsock_cidreg_reserve r = { .cid = 1970 };

	strcpy(r.label, "line\nbreak");
	EXPECT_EQ(-EINVAL, reg_reserve(self->fd, r));
	strcpy(r.label, "high\x80" "bit");
	EXPECT_EQ(-EINVAL, reg_reserve(self->fd, r));
	memset(r.label, 'a', sizeof(r.label));
	EXPECT_EQ(-EINVAL, reg_reserve(self->fd, r)) TH_LOG("no NUL");
	EXPECT_EQ(0, reg_is_reserved(self->fd, 1970));
	r.label[sizeof(r.label) - 1] = '\0';
	EXPECT_EQ(1970, reg_reserve(self->fd, r));
}

/* Concurrency */

#define RACE_MIN	20000
#define RACE_COUNT	200
#define RACE_PROCS	4
#define RACE_THREADS	4

struct racer {
	int fd;
	int n;
	__u32 cids[RACE_COUNT];
};

static void *race_thread(void *arg)
{
	struct racer *r = arg;
	long long cid;

	for (;;) {
		cid = reg_reserve_any(r->fd, RACE_MIN, RACE_MIN + RACE_COUNT - 1,
				      VSOCK_CIDREG_RESERVE_PERSISTENT);
		if (cid < 0)
			break;
		r->cids[r->n++] = cid;
	}
	return (void *)(intptr_t)(cid == -ENOSPC ? 0 : 1);
}

static void race_process(int out)
{
	struct racer r[RACE_THREADS] = {};
	pthread_t t[RACE_THREADS];
	int fd = reg_open(), i, bad = 0;
	void *ret;

	if (fd < 0)
		_exit(1);
	for (i = 0; i < RACE_THREADS; i++) {
		r[i].fd = fd;
		if (pthread_create(&t[i], NULL, race_thread, &r[i]))
			_exit(2);
	}
	for (i = 0; i < RACE_THREADS; i++) {
		pthread_join(t[i], &ret);
		bad |= ret != NULL;
		if (write(out, r[i].cids, r[i].n * sizeof(__u32)) !=
		    (ssize_t)(r[i].n * sizeof(__u32)))
			_exit(3);
	}
	_exit(bad ? 4 : 0);
}

TEST_F(registry, concurrent_reservers_never_share_a_cid)
{
	static char seen[RACE_COUNT];
	pid_t pids[RACE_PROCS];
	int p[2], i, total = 0;
	__u32 cid;

	ASSERT_EQ(0, pipe(p));
	for (i = 0; i < RACE_PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			close(p[0]);
			race_process(p[1]);
		}
	}
	close(p[1]);
	while (read(p[0], &cid, sizeof(cid)) == sizeof(cid)) {
		ASSERT_LE((__u32)RACE_MIN, cid);
		ASSERT_GT((__u32)(RACE_MIN + RACE_COUNT), cid);
		EXPECT_EQ(0, seen[cid - RACE_MIN]++) TH_LOG("CID %u twice", cid);
		total++;
	}
	close(p[0]);
	for (i = 0; i < RACE_PROCS; i++)
		EXPECT_EQ(0, wait_child(pids[i]));
	EXPECT_EQ(RACE_COUNT, total);
	for (i = 0; i < RACE_COUNT; i++)
		EXPECT_EQ(1, reg_is_reserved(self->fd, RACE_MIN + i));
}

/* vhost-vsock devices and module lifetime */

TEST_F(registry, cid_held_by_a_vhost_device_is_never_handed_out)
{
	__u32 f = VSOCK_CIDREG_RESERVE_LOWEST;
	int vfd;

	ASSERT_EQ(0, module_load("vhost_vsock"));
	vfd = vhost_vsock_claim(2001);
	ASSERT_LE(0, vfd) TH_LOG("vhost: %s", strerror(-vfd));
	EXPECT_EQ(-EADDRINUSE, reg_reserve_cid(self->fd, 2001, 0));
	EXPECT_EQ(2000, reg_reserve_any(self->fd, 2000, 2002, f));
	EXPECT_EQ(2002, reg_reserve_any(self->fd, 2000, 2002, f));
	EXPECT_EQ(-ENOSPC, reg_reserve_any(self->fd, 2000, 2002, f));
	EXPECT_EQ(-ENOSPC, reg_reserve_any(self->fd, 2000, 2002, 0));
	close(vfd);
	EXPECT_EQ(2001, reg_reserve_cid(self->fd, 2001, 0));
}

/*
 * It loads the module itself: on a debug kernel under TCG beside other VMs
 * that alone can pass TEST()'s 30 s (seen: a timeout in make check).
 */
FIXTURE(bare) {
	int unused;
};

FIXTURE_SETUP(bare)
{
}

FIXTURE_TEARDOWN(bare)
{
}

TEST_F_TIMEOUT(bare, cid_claimed_before_the_module_loaded_is_refused, 300)
{
	int vfd, fd;

	if (module_loaded("vsock_cidreg"))
		ASSERT_EQ(0, module_unload("vsock_cidreg"));
	ASSERT_EQ(0, module_load("vhost_vsock"));
	vfd = vhost_vsock_claim(2100);
	ASSERT_LE(0, vfd) TH_LOG("vhost: %s", strerror(-vfd));
	ASSERT_EQ(0, module_load("vsock_cidreg"));
	fd = reg_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EADDRINUSE, reg_reserve_cid(fd, 2100, 0));
	close(vfd);
	close(fd);
	EXPECT_EQ(0, module_unload("vsock_cidreg"));
}

TEST_F(registry, unload_is_refused_while_a_reservation_exists)
{
	ASSERT_EQ(2200, reg_reserve_cid(self->fd, 2200,
					VSOCK_CIDREG_RESERVE_PERSISTENT));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(-1, syscall(SYS_delete_module, "vsock_cidreg", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_TRUE(module_loaded("vsock_cidreg"));

	self->fd = reg_open();
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(1, reg_release_all(self->fd, 0, 0));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, syscall(SYS_delete_module, "vsock_cidreg", O_NONBLOCK))
		TH_LOG("delete_module: %s", strerror(errno));
	EXPECT_FALSE(module_loaded("vsock_cidreg"));
}

TEST_HARNESS_MAIN
