// SPDX-License-Identifier: GPL-2.0
/*
 * Enforcement: the rules of Documentation/enforcement.md on real vsock
 * sockets and a real /dev/vhost-vsock, with network namespaces as pods.
 *
 * The matrix tests walk a table: each row is one rule x actor (the owner
 * netns, another netns, a trusted netns) x mode (off, audit, enforce) x
 * reservation (reserved by the owner, unreserved, unreserved in strict
 * mode), and asserts the exact errno and the counters of the row.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/vhost.h>
#include <linux/vm_sockets.h>

#include "kselftest_harness.h"
#include "lib/guestsim.h"
#include "lib/registry.h"
#include "lib/util.h"
#include "lib/vhost.h"

#define CID_X		3333	/* the CID each row is about */
#define PORT_P		5555	/* the protected port */
/* Seconds for tests that load modules or start QEMU: minutes on the
 * debug kernel under TCG (the harness's default is 30 s).
 */
#define SLOW		240

enum rule { SET_CID, CONNECT, BIND_CID, BIND_PORT };
enum actor { OWNER, OTHER, TRUSTED };
enum resv { RESERVED, UNRESERVED, STRICT };

static const char * const rule_names[] = { "set-cid", "connect", "bind-cid",
					   "bind-port" };
static const char * const actor_names[] = { "owner", "other", "trusted" };
static const char * const mode_names[] = { "off", "audit", "enforce" };
static const char * const resv_names[] = { "reserved", "unreserved",
					   "strict" };
static const int rule_ops[] = {
	[SET_CID] = VSOCK_CIDREG_OP_SET_CID,
	[CONNECT] = VSOCK_CIDREG_OP_CONNECT,
	[BIND_CID] = VSOCK_CIDREG_OP_BIND_CID,
	[BIND_PORT] = VSOCK_CIDREG_OP_BIND_PORT,
};

/*
 * What a row expects: the errno of the operation (0: success) and which
 * counter moves (-1: none, the check does not apply).
 */
struct expect {
	int err;
	int counter;	/* 0 allowed, 1 denied, 2 audited, -1 none */
};

/* The rules, as Documentation/enforcement.md states them. */
static struct expect expected(enum rule rule, enum actor actor, int mode,
			      enum resv resv)
{
	/* Errors of the operation itself when nothing refuses it. */
	const int base_err[] = {
		[SET_CID] = 0,
		/* held by a stopped device */
		[CONNECT] = vhost_stopped_connect_errno(),
		[BIND_CID] = EADDRNOTAVAIL,	/* not a local CID */
		[BIND_PORT] = 0,
	};
	static const int refused_err[] = {
		[SET_CID] = EPERM, [CONNECT] = EACCES,
		[BIND_CID] = EACCES, [BIND_PORT] = EACCES,
	};
	struct expect ok = { base_err[rule], 0 };
	bool allowed, checked = true;

	switch (rule) {
	case SET_CID:
		/* Another netns's reservation is busy, even when trusted. */
		if (resv == RESERVED)
			allowed = actor == OWNER;
		else if (resv == STRICT)
			allowed = actor == TRUSTED;
		else
			allowed = true;
		break;
	case CONNECT:
		allowed = actor == TRUSTED ||
			  (resv == RESERVED && actor == OWNER);
		break;
	case BIND_CID:
		checked = resv == RESERVED;
		allowed = actor != OTHER;
		break;
	default:
		allowed = actor == TRUSTED;
		break;
	}
	if (mode == VSOCK_CIDREG_MODE_OFF || !checked)
		return (struct expect){ base_err[rule], -1 };
	if (allowed)
		return ok;
	if (mode == VSOCK_CIDREG_MODE_AUDIT)
		return (struct expect){ base_err[rule], 2 };
	if (rule == SET_CID && resv == RESERVED)
		return (struct expect){ EADDRINUSE, 1 };
	return (struct expect){ refused_err[rule], 1 };
}

/* The operation of @rule, run in a child in the netns of @nsfd: its errno. */
static int run_op(enum rule rule, int nsfd)
{
	struct sockaddr_vm addr = { .svm_family = AF_VSOCK };
	int status, fd, err = 0;
	__u64 cid = CID_X;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setns(nsfd, CLONE_NEWNET))
			_exit(200);
		switch (rule) {
		case SET_CID:
			fd = open("/dev/vhost-vsock", O_RDWR);
			if (fd < 0 || ioctl(fd, VHOST_SET_OWNER))
				_exit(201);
			if (ioctl(fd, VHOST_VSOCK_SET_GUEST_CID, &cid))
				err = errno;
			break;
		case CONNECT:
			fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK, 0);
			addr.svm_cid = CID_X;
			addr.svm_port = 1234;
			if (fd < 0)
				_exit(202);
			if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
				err = errno;
			break;
		case BIND_CID:
		case BIND_PORT:
			fd = socket(AF_VSOCK, SOCK_STREAM, 0);
			addr.svm_cid = rule == BIND_CID ? CID_X : VMADDR_CID_ANY;
			addr.svm_port = rule == BIND_CID ? 6000 : PORT_P;
			if (fd < 0)
				_exit(203);
			if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
				err = errno;
			break;
		}
		_exit(err);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

FIXTURE(enforce) {
	int fd;
	int ns[3];	/* by enum actor */
};

FIXTURE_SETUP(enforce)
{
	static const char * const names[] = { "cidreg-own", "cidreg-other",
					       "cidreg-trusted" };
	int i;

	self->fd = reg_ready();
	ASSERT_LE(0, self->fd) TH_LOG("%s", strerror(-self->fd));
	for (i = 0; i < 3; i++) {
		self->ns[i] = netns_add(names[i]);
		ASSERT_LE(0, self->ns[i]);
	}
	ASSERT_EQ(0, reg_trust(self->fd, self->ns[TRUSTED], 0));
}

FIXTURE_TEARDOWN(enforce)
{
	int i;

	run_cmd("! test -e /sys/kernel/debug/vsock_cidreg/setcid_delay_ms || "
		"echo 0 > /sys/kernel/debug/vsock_cidreg/setcid_delay_ms");

	for (i = 0; i < 3; i++) {
		if (self->ns[i] >= 0)
			close(self->ns[i]);
	}
	netns_del("cidreg-own");
	netns_del("cidreg-other");
	netns_del("cidreg-trusted");
	if (self->fd >= 0) {
		EXPECT_EQ(0, reg_reset(self->fd));
		close(self->fd);
	}
}

static __u64 counter(const struct vsock_cidreg_stats *st, int which, int op)
{
	return which == 0 ? st->allowed[op] :
	       which == 1 ? st->denied[op] : st->audited[op];
}

/* Runs every row of @rule; returns how many failed (each is logged). */
static int run_matrix(struct __test_metadata *_metadata,
		      FIXTURE_DATA(enforce) *self, enum rule rule)
{
	int actor, mode, resv, which, failed = 0, vfd = -1;

	if (rule == BIND_PORT)
		EXPECT_EQ(0, reg_set_param("protected_ports", PORT_P));

	for (resv = RESERVED; resv <= STRICT; resv++) {
		for (mode = 0; mode <= VSOCK_CIDREG_MODE_ENFORCE; mode++) {
			for (actor = OWNER; actor <= TRUSTED; actor++) {
				struct vsock_cidreg_stats before, after;
				struct expect want;
				int got, moved = 0;

				want = expected(rule, actor, mode, resv);
				if (resv == RESERVED)
					EXPECT_EQ(CID_X, reg_reserve(self->fd,
						(struct vsock_cidreg_reserve){
						.cid = CID_X,
						.netns_fd = self->ns[OWNER],
						.flags = VSOCK_CIDREG_RESERVE_NETNS }));
				if (rule == CONNECT) {
					/* A stopped device holds CID_X; mode
					 * off: nobody adopts it.
					 */
					EXPECT_EQ(0, reg_set_param_str("mode",
								       "off"));
					vfd = vhost_vsock_claim(CID_X);
					EXPECT_LE(0, vfd);
				}
				EXPECT_EQ(0, reg_set_param_str("strict",
					resv == STRICT ? "Y" : "N"));
				EXPECT_EQ(0, reg_set_param_str("mode",
					mode_names[mode]));
				EXPECT_EQ(0, reg_stats(self->fd, &before));
				got = run_op(rule, self->ns[actor]);
				EXPECT_EQ(0, reg_stats(self->fd, &after));
				EXPECT_EQ(0, reg_set_param_str("mode", "off"));
				if (vfd >= 0)
					close(vfd);
				vfd = -1;
				if (resv == RESERVED)
					EXPECT_EQ(0, reg_release(self->fd,
								 CID_X));

				for (which = 0; which < 3; which++) {
					__u64 d = counter(&after, which,
							  rule_ops[rule]) -
						  counter(&before, which,
							  rule_ops[rule]);

					if (d != (which == want.counter))
						moved = 1;
				}
				if (got != want.err || moved) {
					failed++;
					TH_LOG("%s %s %s %s: errno %d (want %d), counters %s",
					       rule_names[rule], resv_names[resv],
					       mode_names[mode],
					       actor_names[actor], got,
					       want.err, moved ? "wrong" : "ok");
				}
			}
		}
	}
	return failed;
}

TEST_F_TIMEOUT(enforce, set_guest_cid_matrix, SLOW)
{
	EXPECT_EQ(0, run_matrix(_metadata, self, SET_CID));
}

TEST_F_TIMEOUT(enforce, connect_matrix, SLOW)
{
	EXPECT_EQ(0, run_matrix(_metadata, self, CONNECT));
}

TEST_F_TIMEOUT(enforce, bind_cid_matrix, SLOW)
{
	EXPECT_EQ(0, run_matrix(_metadata, self, BIND_CID));
}

TEST_F_TIMEOUT(enforce, bind_port_matrix, SLOW)
{
	EXPECT_EQ(0, run_matrix(_metadata, self, BIND_PORT));
}

TEST_F(enforce, unreserved_cid_set_by_a_device_is_adopted_while_it_holds_it)
{
	struct vsock_cidreg_entry e;
	int vfd;

	vfd = vhost_vsock_claim(CID_X);
	ASSERT_LE(0, vfd);
	ASSERT_EQ(0, reg_query(self->fd, CID_X, &e));
	EXPECT_EQ(VSOCK_CIDREG_KIND_ADOPTED, (int)e.kind);
	EXPECT_EQ(getpid(), e.holder_pid);
	EXPECT_NE(0, (int)(e.info & VSOCK_CIDREG_INFO_ATTACHED));
	/* Adopted entries are the device's: not released by hand. */
	EXPECT_EQ(-EINVAL, reg_release(self->fd, CID_X));
	close(vfd);
	EXPECT_EQ(-ENOENT, reg_query(self->fd, CID_X, &e));
}

TEST_F(enforce, device_setting_another_cid_lets_the_adopted_one_go)
{
	struct vsock_cidreg_entry e;
	__u64 cid = CID_X + 1;
	int vfd;

	vfd = vhost_vsock_claim(CID_X);
	ASSERT_LE(0, vfd);
	ASSERT_EQ(0, ioctl(vfd, VHOST_VSOCK_SET_GUEST_CID, &cid));
	EXPECT_EQ(-ENOENT, reg_query(self->fd, CID_X, &e));
	ASSERT_EQ(0, reg_query(self->fd, CID_X + 1, &e));
	EXPECT_EQ(VSOCK_CIDREG_KIND_ADOPTED, (int)e.kind);
	close(vfd);
	EXPECT_EQ(-ENOENT, reg_query(self->fd, CID_X + 1, &e));
}

/*
 * Also under mode=off, where nothing is checked: the adopted CID the
 * device held is let go when it takes another. It once stayed adopted and
 * attached until the device closed, and reserving it got EADDRINUSE.
 */
TEST_F(enforce, device_moving_under_mode_off_lets_its_adopted_cid_go)
{
	struct vsock_cidreg_entry e;
	__u64 cid = CID_X + 1;
	int vfd;

	vfd = vhost_vsock_claim(CID_X);
	ASSERT_LE(0, vfd);
	ASSERT_EQ(0, reg_query(self->fd, CID_X, &e));
	EXPECT_EQ(VSOCK_CIDREG_KIND_ADOPTED, (int)e.kind);
	ASSERT_EQ(0, reg_set_param_str("mode", "off"));
	EXPECT_EQ(0, ioctl(vfd, VHOST_VSOCK_SET_GUEST_CID, &cid));
	EXPECT_EQ(-ENOENT, reg_query(self->fd, CID_X, &e));
	EXPECT_EQ(CID_X, reg_reserve_cid(self->fd, CID_X, 0));
	/* Unchecked, the new CID is not recorded. */
	EXPECT_EQ(-ENOENT, reg_query(self->fd, CID_X + 1, &e));
	ASSERT_EQ(0, reg_set_param_str("mode", "enforce"));
	close(vfd);
	EXPECT_EQ(0, reg_release(self->fd, CID_X));
}

/*
 * The allowed counter of set-cid counts the SET_GUEST_CIDs vhost took, not
 * the checks: a CID the registry does not know of but a device holds (set
 * under mode=off) passes the check and is then busy in vhost. It was
 * counted as allowed.
 */
TEST_F(enforce, set_cid_counts_allowed_only_what_vhost_took)
{
	struct vsock_cidreg_stats before, after;
	struct vsock_cidreg_entry e;
	int vfd, vfd2;

	ASSERT_EQ(0, reg_set_param_str("mode", "off"));
	vfd = vhost_vsock_claim(CID_X);
	ASSERT_LE(0, vfd);
	ASSERT_EQ(0, reg_set_param_str("mode", "enforce"));
	ASSERT_EQ(0, reg_stats(self->fd, &before));
	EXPECT_EQ(-EADDRINUSE, vhost_vsock_claim(CID_X));
	ASSERT_EQ(0, reg_stats(self->fd, &after));
	EXPECT_EQ(counter(&before, 0, VSOCK_CIDREG_OP_SET_CID),
		  counter(&after, 0, VSOCK_CIDREG_OP_SET_CID));
	EXPECT_EQ(counter(&before, 1, VSOCK_CIDREG_OP_SET_CID),
		  counter(&after, 1, VSOCK_CIDREG_OP_SET_CID));
	/* The adoption it tried is undone. */
	EXPECT_EQ(-ENOENT, reg_query(self->fd, CID_X, &e));
	vfd2 = vhost_vsock_claim(CID_X + 1);
	ASSERT_LE(0, vfd2);
	ASSERT_EQ(0, reg_stats(self->fd, &after));
	EXPECT_EQ(counter(&before, 0, VSOCK_CIDREG_OP_SET_CID) + 1,
		  counter(&after, 0, VSOCK_CIDREG_OP_SET_CID));
	close(vfd2);
	close(vfd);
}

/*
 * A device's adopted CIDs count against its netns's quota like its
 * reservations: once adoption ignored it (13 entries with quota=3).
 */
TEST_F(enforce, adoption_counts_against_the_quota)
{
	struct vsock_cidreg_stats before, after;
	struct vsock_cidreg_entry e;
	int vfd, vfd2;

	ASSERT_EQ(0, reg_set_param("quota", 2));
	ASSERT_EQ(CID_X, reg_reserve_cid(self->fd, CID_X, 0));
	vfd = vhost_vsock_claim(CID_X + 1);	/* adopted: 2 of 2 */
	ASSERT_LE(0, vfd);
	ASSERT_EQ(0, reg_stats(self->fd, &before));
	EXPECT_EQ(-EDQUOT, vhost_vsock_claim(CID_X + 2));
	ASSERT_EQ(0, reg_stats(self->fd, &after));
	EXPECT_EQ(counter(&before, 1, VSOCK_CIDREG_OP_SET_CID) + 1,
		  counter(&after, 1, VSOCK_CIDREG_OP_SET_CID));
	EXPECT_EQ(-ENOENT, reg_query(self->fd, CID_X + 2, &e));
	/* Its own reservation takes no more of it. */
	vfd2 = vhost_vsock_claim(CID_X);
	EXPECT_LE(0, vfd2);
	/* A CID freed is quota back. */
	close(vfd);
	vfd = vhost_vsock_claim(CID_X + 2);
	EXPECT_LE(0, vfd);
	ASSERT_EQ(0, reg_query(self->fd, CID_X + 2, &e));
	EXPECT_EQ(VSOCK_CIDREG_KIND_ADOPTED, (int)e.kind);
	close(vfd);
	close(vfd2);
}

#define SETCID_DEBUGFS "/sys/kernel/debug/vsock_cidreg/"

static long debugfs_read(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), SETCID_DEBUGFS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * Loads the module again, with the test points (test_points=1) or without;
 * the fixture's device fd and trusted netns follow. 0, or -1.
 */
static int reload_module(struct __test_metadata *_metadata,
			 FIXTURE_DATA(enforce) *self, bool test_points)
{
	close(self->fd);
	self->fd = -1;
	if (run_cmd("modprobe -r vsock_cidreg && modprobe vsock_cidreg%s",
		    test_points ? " test_points=1" : ""))
		return -1;
	self->fd = reg_ready();
	if (self->fd < 0)
		return -1;
	return reg_trust(self->fd, self->ns[TRUSTED], 0);
}

/*
 * The test point exists only in a module loaded with test_points=1, and
 * only CAP_SYS_ADMIN sets it: uid 0 without it once froze the registry
 * for seconds per SET_GUEST_CID.
 */
TEST_F_TIMEOUT(enforce, test_points_need_their_parameter_and_cap_sys_admin, SLOW)
{
	pid_t pid;

	ASSERT_EQ(0, reload_module(_metadata, self, false));
	EXPECT_EQ(-1, debugfs_read("setcid_delays"));
	EXPECT_NE(0, run_cmd("test -e " SETCID_DEBUGFS));
	ASSERT_EQ(0, reload_module(_metadata, self, true));
	EXPECT_EQ(0, debugfs_read("setcid_delay_ms"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		CHILD_CHECK(1, !drop_cap(CAP_SYS_ADMIN));
		fd = open(SETCID_DEBUGFS "setcid_delay_ms", O_WRONLY);
		CHILD_CHECK(2, fd >= 0);
		CHILD_CHECK(3, write(fd, "5000", 4) < 0 && errno == EPERM);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(0, debugfs_read("setcid_delay_ms"));
	EXPECT_EQ(0, run_cmd("echo 1 > " SETCID_DEBUGFS "setcid_delay_ms"));
	EXPECT_EQ(1, debugfs_read("setcid_delay_ms"));
	EXPECT_EQ(0, run_cmd("echo 0 > " SETCID_DEBUGFS "setcid_delay_ms"));
	ASSERT_EQ(0, reload_module(_metadata, self, false));
}

struct setcid_call {
	int nsfd;
	int vfd;
	__u64 cid;
	int ret;
};

static void *setcid_thread(void *arg)
{
	struct setcid_call *c = arg;

	c->ret = setns(c->nsfd, CLONE_NEWNET) ? -errno :
		 ioctl(c->vfd, VHOST_VSOCK_SET_GUEST_CID, &c->cid) ? -errno : 0;
	return NULL;
}

static void *close_thread(void *arg)
{
	close(*(int *)arg);
	return NULL;
}

/*
 * SET_GUEST_CID decides in vsock_find_cid() and vhost publishes the CID
 * after it: nothing may change the registry in between. The test point
 * holds pod A's second device D2 there, past a check that found X pod A's
 * (adopted by its device D1); then D1 closes and the agent reserves X for
 * pod B. Before, D2 then took X and became the holder of pod B's
 * reservation. Now D1's close and the reservation wait for D2, which finds
 * X still held by D1 (EADDRINUSE).
 */
TEST_F_TIMEOUT(enforce, set_guest_cid_in_flight_keeps_its_decision, SLOW)
{
	struct setcid_call c = { .nsfd = self->ns[OWNER], .cid = CID_X };
	struct vsock_cidreg_entry e;
	pthread_t t2, t1;
	int init, d1, i;
	long delays;

	/* The test point: a module loaded with test_points=1. */
	ASSERT_EQ(0, reload_module(_metadata, self, true));
	init = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, init);
	ASSERT_EQ(0, setns(self->ns[OWNER], CLONE_NEWNET));
	d1 = vhost_vsock_claim(CID_X);
	c.vfd = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC);
	ASSERT_EQ(0, setns(init, CLONE_NEWNET));
	ASSERT_LE(0, d1);
	ASSERT_LE(0, c.vfd);
	ASSERT_EQ(0, ioctl(c.vfd, VHOST_SET_OWNER));
	ASSERT_EQ(0, reg_query(self->fd, CID_X, &e));
	ASSERT_EQ(VSOCK_CIDREG_KIND_ADOPTED, (int)e.kind);

	delays = debugfs_read("setcid_delays");
	ASSERT_LE(0, delays) TH_LOG("no test point in " SETCID_DEBUGFS);
	ASSERT_EQ(0, run_cmd("echo 2000 > " SETCID_DEBUGFS "setcid_delay_ms"));
	ASSERT_EQ(0, pthread_create(&t2, NULL, setcid_thread, &c));
	for (i = 0; i < 600 && debugfs_read("setcid_delays") == delays; i++)
		usleep(10 * 1000);
	ASSERT_EQ(delays + 1, debugfs_read("setcid_delays"));
	/* D2 is between its check and vhost's publishing. */
	ASSERT_EQ(0, pthread_create(&t1, NULL, close_thread, &d1));
	ASSERT_EQ(0, pthread_join(t1, NULL));
	EXPECT_EQ(CID_X, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = CID_X, .netns_fd = self->ns[OTHER],
		.flags = VSOCK_CIDREG_RESERVE_NETNS }));
	ASSERT_EQ(0, pthread_join(t2, NULL));
	EXPECT_EQ(-EADDRINUSE, c.ret);

	ASSERT_EQ(0, reg_query(self->fd, CID_X, &e));
	EXPECT_EQ(VSOCK_CIDREG_KIND_LEASE, (int)e.kind);
	EXPECT_EQ(0, e.holder_pid);
	EXPECT_EQ(0, (int)(e.info & VSOCK_CIDREG_INFO_ATTACHED));
	close(c.vfd);
	close(init);
}

TEST_F(enforce, owner_device_is_recorded_as_holder_of_a_reserved_cid)
{
	struct vsock_cidreg_entry e;
	int vfd;

	ASSERT_EQ(CID_X, reg_reserve_cid(self->fd, CID_X, 0));
	vfd = vhost_vsock_claim(CID_X);
	ASSERT_LE(0, vfd);
	ASSERT_EQ(0, reg_query(self->fd, CID_X, &e));
	EXPECT_EQ(VSOCK_CIDREG_KIND_LEASE, (int)e.kind);
	EXPECT_EQ(getpid(), e.holder_pid);
	close(vfd);
	ASSERT_EQ(0, reg_query(self->fd, CID_X, &e));
	EXPECT_EQ(0, e.holder_pid);
	EXPECT_EQ(0, (int)(e.info & VSOCK_CIDREG_INFO_ATTACHED));
}

TEST_F(enforce, trust_ioctl_checks_its_arguments)
{
	struct vsock_cidreg_trust t = { .size = sizeof(t) };
	int own = open("/proc/self/ns/net", O_RDONLY);

	ASSERT_LE(0, own);
	/* The initial netns stays trusted. */
	EXPECT_EQ(-EINVAL, reg_trust(self->fd, own, VSOCK_CIDREG_TRUST_REMOVE));
	EXPECT_EQ(0, reg_trust(self->fd, own, 0));
	EXPECT_EQ(-EINVAL, reg_trust(self->fd, own, 1U << 7));
	EXPECT_EQ(-EBADF, reg_trust(self->fd, 999, 0));
	t.netns_fd = self->fd;	/* not a netns */
	EXPECT_EQ(-1, ioctl(self->fd, VSOCK_CIDREG_IOC_TRUST, &t));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, reg_trust(self->fd, self->ns[TRUSTED],
			       VSOCK_CIDREG_TRUST_REMOVE));
	close(own);
}

TEST_F(enforce, trust_needs_cap_net_admin_and_stats_take_no_flags)
{
	struct vsock_cidreg_stats st = { .size = sizeof(st), .flags = 1 };
	int status;
	pid_t pid;

	EXPECT_EQ(-1, ioctl(self->fd, VSOCK_CIDREG_IOC_STATS, &st));
	EXPECT_EQ(EINVAL, errno);
	/* The open fd, handed to a process without capabilities. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(200);
		_exit(-reg_trust(self->fd, self->ns[OTHER], 0));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));
}

TEST_F(enforce, protected_ports_parameter_is_validated)
{
	EXPECT_EQ(0, reg_set_param_str("protected_ports", "22, 5555,1"));
	EXPECT_EQ(-EINVAL, reg_set_param_str("protected_ports", "22,x"));
	EXPECT_EQ(-EINVAL, reg_set_param_str("protected_ports", "4294967295"));
	EXPECT_EQ(-EINVAL, reg_set_param_str("mode", "sometimes"));
	EXPECT_EQ(0, run_cmd("grep -qx '1,22,5555' "
			     "/sys/module/vsock_cidreg/parameters/protected_ports"));
}

/* vsock's implicit ports: after 0xfffffffe it wraps to 1024. */
static unsigned int next_port(unsigned int port)
{
	return port + 1 == VMADDR_PORT_ANY ? 1024 : port + 1;
}

/*
 * An implicit bind (connect) of an untrusted netns skips protected ports,
 * as many as there may be (32), all in a row where vsock's next implicit
 * port is: it once gave up after 8 and left the socket on the 8th.
 */
TEST_F(enforce, implicit_bind_never_lands_on_a_protected_port)
{
	struct sockaddr_vm addr = { .svm_family = AF_VSOCK, .svm_cid = CID_X,
				    .svm_port = 1234 };
	socklen_t len = sizeof(addr);
	unsigned int next, p;
	char ports[32 * 12];
	int fd, vfd, i, n;

	/* CID_X is the other netns's own: its connects go through. */
	ASSERT_EQ(CID_X, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = CID_X, .netns_fd = self->ns[OTHER],
		.flags = VSOCK_CIDREG_RESERVE_NETNS }));
	vfd = vhost_vsock_claim_in(self->ns[OTHER], CID_X);
	ASSERT_LE(0, vfd);
	ASSERT_EQ(0, setns(self->ns[OTHER], CLONE_NEWNET));

	/* vsock hands out implicit ports in sequence: learn the next one. */
	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&addr, sizeof(addr)));
	EXPECT_EQ(vhost_stopped_connect_errno(), errno);
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&addr, &len));
	next = next_port(addr.svm_port);
	close(fd);
	for (i = n = 0, p = next; i < 32; i++, p = next_port(p))
		n += snprintf(ports + n, sizeof(ports) - n, "%s%u",
			      i ? "," : "", p);
	ASSERT_EQ(0, reg_set_param_str("protected_ports", ports));

	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ASSERT_LE(0, fd);
	addr.svm_cid = CID_X;
	addr.svm_port = 1234;
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&addr, sizeof(addr)));
	EXPECT_EQ(vhost_stopped_connect_errno(), errno);
	len = sizeof(addr);
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&addr, &len));
	EXPECT_NE(VMADDR_PORT_ANY, addr.svm_port);
	for (i = 0, p = next; i < 32; i++, p = next_port(p))
		EXPECT_NE(p, addr.svm_port) TH_LOG("protected port %u", p);
	close(fd);
	close(vfd);
}

/*
 * SET_GUEST_CID reads its CID from user memory: a thread flipping it
 * between a CID the caller may set and one reserved by another netns must
 * never get the latter set.
 */
#define RACE_TRIES	10000

struct flipper {
	volatile __u64 *cid;
	volatile int stop;
};

static void *flip(void *arg)
{
	struct flipper *f = arg;

	while (!f->stop)
		*f->cid = *f->cid == CID_X ? CID_X + 1 : CID_X;
	return NULL;
}

TEST_F_TIMEOUT(enforce, rewriting_the_cid_during_set_guest_cid_never_sets_a_refused_cid, SLOW)
{
	struct vsock_cidreg_entry e;
	struct flipper f;
	volatile __u64 cid = CID_X + 1;
	int vfd, i, set_ok = 0, refused = 0, leaked = 0;
	pthread_t t;

	/* CID_X is the owner netns's; we act from another. */
	ASSERT_EQ(CID_X, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = CID_X, .netns_fd = self->ns[OWNER],
		.flags = VSOCK_CIDREG_RESERVE_NETNS |
			 VSOCK_CIDREG_RESERVE_PERSISTENT }));
	ASSERT_EQ(0, setns(self->ns[OTHER], CLONE_NEWNET));
	vfd = open("/dev/vhost-vsock", O_RDWR);
	ASSERT_LE(0, vfd);
	ASSERT_EQ(0, ioctl(vfd, VHOST_SET_OWNER));

	f.cid = &cid;
	f.stop = 0;
	ASSERT_EQ(0, pthread_create(&t, NULL, flip, &f));
	for (i = 0; i < RACE_TRIES; i++) {
		if (ioctl(vfd, VHOST_VSOCK_SET_GUEST_CID, &cid)) {
			if (errno == EADDRINUSE)
				refused++;
			continue;
		}
		set_ok++;
		if (!reg_query(self->fd, CID_X, &e) &&
		    (e.info & VSOCK_CIDREG_INFO_ATTACHED))
			leaked++;
	}
	f.stop = 1;
	pthread_join(t, NULL);
	close(vfd);
	TH_LOG("%d tries: %d set, %d refused, %d refused CIDs set",
	       RACE_TRIES, set_ok, refused, leaked);
	EXPECT_EQ(0, leaked);
	/* Both CIDs were tried: the refused one was refused, the other set. */
	EXPECT_LT(0, set_ok);
	EXPECT_LT(0, refused);
	EXPECT_EQ(RACE_TRIES, set_ok + refused);
}

static int count_hooks(void)
{
	return run_cmd("exit $(grep -cE '^(vsock_find_cid|__vsock_bind|vsock_assign_transport|vhost_vsock_dev_ioctl|vhost_vsock_dev_release) ' "
		       "/sys/kernel/tracing/enabled_functions)");
}

TEST_F_TIMEOUT(enforce, hooks_follow_vsock_and_vhost_vsock_loading_and_unloading, SLOW)
{
	ASSERT_EQ(5, count_hooks());
	ASSERT_EQ(0, reg_reset(self->fd));
	close(self->fd);
	self->fd = -1;
	/* Unload everything, load us first, then vsock and vhost_vsock. */
	ASSERT_EQ(0, module_unload("vsock_cidreg"));
	/*
	 * A socket that connected to a guest holds vhost_vsock until vsock
	 * has closed it, up to its close timeout (8 s) after close(): the
	 * sockets of earlier tests may still be closing.
	 */
	run_cmd("for i in $(seq 60); do "
		"modprobe -r vhost_vsock vsock_loopback vsock 2>/dev/null && exit; "
		"sleep 0.5; done; grep . /sys/module/vhost_vsock/refcnt");
	ASSERT_FALSE(module_loaded("vsock"));
	ASSERT_EQ(0, module_load("vsock_cidreg"));
	EXPECT_EQ(0, count_hooks());
	ASSERT_EQ(0, module_load("vsock"));
	EXPECT_EQ(3, count_hooks());
	ASSERT_EQ(0, module_load("vhost_vsock"));
	EXPECT_EQ(5, count_hooks());
	ASSERT_EQ(0, module_unload("vhost_vsock"));
	EXPECT_EQ(3, count_hooks());
	ASSERT_EQ(0, module_load("vhost_vsock"));
	EXPECT_EQ(5, count_hooks());

	/* And they enforce: a foreign netns cannot set the owner's CID. */
	self->fd = reg_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(CID_X, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = CID_X, .netns_fd = self->ns[OWNER],
		.flags = VSOCK_CIDREG_RESERVE_NETNS }));
	EXPECT_EQ(EADDRINUSE, run_op(SET_CID, self->ns[OTHER]));
	EXPECT_EQ(0, run_op(SET_CID, self->ns[OWNER]));
}

TEST_F_TIMEOUT(enforce, unload_with_open_sockets_and_vhost_fds, SLOW)
{
	int vfd, sfd, sfd2;

	vfd = vhost_vsock_claim(CID_X);	/* adopted by the initial netns */
	ASSERT_LE(0, vfd);
	sfd = socket(AF_VSOCK, SOCK_STREAM, 0);
	ASSERT_LE(0, sfd);
	close(self->fd);
	self->fd = -1;
	/* The adopted entry keeps enforcement loaded... */
	EXPECT_EQ(-1, syscall(SYS_delete_module, "vsock_cidreg", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	close(vfd);
	/* ...until its device goes; open sockets do not. */
	EXPECT_EQ(0, syscall(SYS_delete_module, "vsock_cidreg", O_NONBLOCK))
		TH_LOG("delete_module: %s", strerror(errno));
	EXPECT_EQ(0, count_hooks());
	sfd2 = socket(AF_VSOCK, SOCK_STREAM, 0);
	EXPECT_LE(0, sfd2);
	vfd = vhost_vsock_claim(CID_X);
	EXPECT_LE(0, vfd);
	close(vfd);
	close(sfd);
	close(sfd2);
	ASSERT_EQ(0, module_load("vsock_cidreg"));
	self->fd = reg_open();
	ASSERT_LE(0, self->fd);
}

/*
 * A guest (lib/guestsim) whose CID the owner netns adopted connects to
 * listeners in the owner netns, another netns and the initial netns.
 */
TEST_F_TIMEOUT(enforce, incoming_connections_reach_only_owner_and_trusted_listeners,
	       SLOW)
{
	static const unsigned int port[3] = { 7100, 7101, 7102 };
	int lfd[3], mode, actor, s, cfd;
	struct vsock_cidreg_stats before, after;
	struct vsock_cidreg_entry e;
	struct gsim *g;

	/* One listener per netns: OWNER, OTHER, and the initial one. */
	lfd[TRUSTED] = vsock_listen(port[TRUSTED], SOCK_NONBLOCK);
	ASSERT_LE(0, lfd[TRUSTED]);
	ASSERT_EQ(0, setns(self->ns[OTHER], CLONE_NEWNET));
	lfd[OTHER] = vsock_listen(port[OTHER], SOCK_NONBLOCK);
	ASSERT_LE(0, lfd[OTHER]);
	ASSERT_EQ(0, setns(self->ns[OWNER], CLONE_NEWNET));
	lfd[OWNER] = vsock_listen(port[OWNER], SOCK_NONBLOCK);
	ASSERT_LE(0, lfd[OWNER]);
	g = gsim_create(CID_X);	/* adopted by OWNER */
	ASSERT_NE(NULL, g) TH_LOG("gsim_create: %s", strerror(errno));
	ASSERT_EQ(0, reg_query(self->fd, CID_X, &e));
	ASSERT_EQ(VSOCK_CIDREG_KIND_ADOPTED, (int)e.kind);

	for (mode = 0; mode <= VSOCK_CIDREG_MODE_ENFORCE; mode++) {
		ASSERT_EQ(0, reg_set_param_str("mode", mode_names[mode]));
		for (actor = OWNER; actor <= TRUSTED; actor++) {
			bool refused = actor == OTHER &&
				       mode == VSOCK_CIDREG_MODE_ENFORCE;
			int which = mode == VSOCK_CIDREG_MODE_OFF ? -1 :
				    actor != OTHER ? 0 :
				    mode == VSOCK_CIDREG_MODE_AUDIT ? 2 : 1;

			ASSERT_EQ(0, reg_stats(self->fd, &before));
			s = gsim_connect(g, port[actor], 20000);
			ASSERT_EQ(0, reg_stats(self->fd, &after));
			if (refused) {
				EXPECT_EQ(-ECONNRESET, s)
					TH_LOG("%s %s", mode_names[mode],
					       actor_names[actor]);
				/* The listener never sees it. */
				EXPECT_EQ(-1, accept(lfd[actor], NULL, NULL));
				EXPECT_EQ(EAGAIN, errno);
			} else {
				EXPECT_LE(0, s) TH_LOG("%s %s: %s",
						       mode_names[mode],
						       actor_names[actor],
						       strerror(-s));
				cfd = accept(lfd[actor], NULL, NULL);
				EXPECT_LE(0, cfd);
				if (cfd >= 0)
					close(cfd);
				if (s >= 0)
					gsim_close(g, s);
			}
			EXPECT_EQ((__u64)(which == 0), after.allowed[VSOCK_CIDREG_OP_ACCEPT] -
					      before.allowed[VSOCK_CIDREG_OP_ACCEPT]);
			EXPECT_EQ((__u64)(which == 1), after.denied[VSOCK_CIDREG_OP_ACCEPT] -
					      before.denied[VSOCK_CIDREG_OP_ACCEPT]);
			EXPECT_EQ((__u64)(which == 2), after.audited[VSOCK_CIDREG_OP_ACCEPT] -
					      before.audited[VSOCK_CIDREG_OP_ACCEPT]);
		}
	}
	gsim_destroy(g);
	EXPECT_EQ(-ENOENT, reg_query(self->fd, CID_X, &e));
	close(lfd[OWNER]);
	close(lfd[OTHER]);
	close(lfd[TRUSTED]);
}

/* Real tools: QEMU's vhost-vsock-pci and socat, from the owner and others. */
#ifdef __aarch64__
#define QEMU_SYSTEM "qemu-system-aarch64 -M virt"
#else
#define QEMU_SYSTEM "qemu-system-x86_64 -M pc"
#endif
#define QEMU_IN(ns) "echo quit | ip netns exec " ns " timeout 60 " \
	QEMU_SYSTEM " -S -nodefaults -display none " \
	"-monitor stdio -m 32 -device vhost-vsock-pci,guest-cid="

TEST_F_TIMEOUT(enforce, qemu_in_a_foreign_netns_cannot_take_a_reserved_cid, SLOW)
{
	ASSERT_EQ(CID_X, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = CID_X, .netns_fd = self->ns[OWNER],
		.flags = VSOCK_CIDREG_RESERVE_NETNS }));
	EXPECT_EQ(0, run_cmd(QEMU_IN("cidreg-other") "%d "
			     ">/tmp/qemu.out 2>&1; test $? -ne 0 && "
			     "grep -q 'unable to set guest cid: Address already in use' /tmp/qemu.out",
			     CID_X)) {
		run_cmd("cat /tmp/qemu.out");
	}
	EXPECT_EQ(0, run_cmd(QEMU_IN("cidreg-own") "%d >/tmp/qemu.out 2>&1",
			     CID_X)) {
		run_cmd("cat /tmp/qemu.out");
	}
}

TEST_F_TIMEOUT(enforce, socat_connect_from_a_foreign_netns_is_refused, SLOW)
{
	int vfd;

	ASSERT_EQ(CID_X, reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid = CID_X, .netns_fd = self->ns[OWNER],
		.flags = VSOCK_CIDREG_RESERVE_NETNS }));
	/* The owner's VM holds it (a trusted netns could not take it). */
	EXPECT_EQ(-EADDRINUSE, vhost_vsock_claim(CID_X));
	vfd = vhost_vsock_claim_in(self->ns[OWNER], CID_X);
	ASSERT_LE(0, vfd);
	EXPECT_EQ(0, run_cmd("ip netns exec cidreg-other timeout 20 socat -u "
			     "OPEN:/dev/null VSOCK-CONNECT:%d:1234 2>/tmp/socat.err; "
			     "grep -q 'Permission denied' /tmp/socat.err", CID_X)) {
		run_cmd("cat /tmp/socat.err");
	}
	close(vfd);
}

TEST_HARNESS_MAIN
