// SPDX-License-Identifier: GPL-2.0
/*
 * Linux 7.0+: the kernel's own vsock namespaces beside the module
 * (Documentation/linux-7.0.md). A netns in vsock's local mode is isolated
 * by the kernel: the module leaves its sockets and devices to it and keeps
 * its reservations in a registry space of its own, where reservation,
 * adoption, strict mode, quotas, events and protected ports work as in
 * the global space. Global-mode namespaces keep every rule of earlier
 * kernels. Run on 7.x kernels only (selftests/Makefile).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/vhost.h>
#include <linux/vm_sockets.h>
#include <linux/vsock_cidreg.h>

#include "kselftest_harness.h"
#include "lib/guestsim.h"
#include "lib/nl.h"
#include "lib/registry.h"
#include "lib/util.h"
#include "lib/vhost.h"

#define SLOW 300
#define TMO 20000
#define PORT 5300
#define PORT_P 5999	/* a protected port */

FIXTURE(localns) {
	int fd;		/* /dev/vsock-cidreg */
	int init;	/* the initial netns */
	int l1, l2;	/* two pods in local mode */
	int g;		/* a pod in global mode */
};

FIXTURE_SETUP(localns)
{
	self->l1 = self->l2 = self->g = -1;
	self->fd = reg_ready();
	ASSERT_LE(0, self->fd) TH_LOG("%s", strerror(-self->fd));
	self->init = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->init);
	self->l1 = netns_add_local("cidreg-l1");
	ASSERT_LE(0, self->l1) TH_LOG("netns_add_local: %s", strerror(errno));
	self->l2 = netns_add_local("cidreg-l2");
	ASSERT_LE(0, self->l2);
	self->g = netns_add("cidreg-g");
	ASSERT_LE(0, self->g);
	ASSERT_STREQ("local", netns_vsock_mode(self->l1));
	ASSERT_STREQ("local", netns_vsock_mode(self->l2));
	ASSERT_STREQ("global", netns_vsock_mode(self->g));
	ASSERT_STREQ("global", netns_vsock_mode(self->init));
}

FIXTURE_TEARDOWN(localns)
{
	if (self->fd >= 0) {
		EXPECT_EQ(0, reg_set_param_str("mode", "enforce"));
		EXPECT_EQ(0, reg_set_param("strict", 0));
		EXPECT_EQ(0, reg_set_param_str("protected_ports", ""));
		EXPECT_EQ(0, reg_reset(self->fd));
		close(self->fd);
	}
	netns_del("cidreg-l1");
	netns_del("cidreg-l2");
	netns_del("cidreg-g");
}

/* A vhost-vsock device opened in the netns of @ns, as QEMU opens it. */
static int dev_open_in(int ns, int home)
{
	int fd;

	if (setns(ns, CLONE_NEWNET))
		return -1;
	fd = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC);
	if (fd >= 0 && ioctl(fd, VHOST_SET_OWNER)) {
		close(fd);
		fd = -1;
	}
	if (setns(home, CLONE_NEWNET)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* SET_GUEST_CID on @dev from the netns of @ns: 0 or an errno. */
static int set_cid_from(int dev, __u64 cid, int ns, int home)
{
	int err = 0;

	if (setns(ns, CLONE_NEWNET))
		return -1;
	if (ioctl(dev, VHOST_VSOCK_SET_GUEST_CID, &cid))
		err = errno;
	if (setns(home, CLONE_NEWNET))
		return -1;
	return err;
}

/* The entry of @cid as a caller in @ns sees it (its space): 0 or -errno. */
static int query_from(int fd, __u32 cid, int ns, int home,
		      struct vsock_cidreg_entry *e)
{
	int err;

	if (setns(ns, CLONE_NEWNET))
		return -EIO;
	err = reg_query(fd, cid, e);
	if (setns(home, CLONE_NEWNET))
		return -EIO;
	return err;
}

/*
 * A non-blocking stream socket of @ns, bound to (@bind) or connected to
 * @cid:@port: 0 or the errno.
 */
static int sock_from(int ns, int home, bool bind_it, __u32 cid, __u32 port)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = cid,
				 .svm_port = port };
	int fd, err = 0;

	if (setns(ns, CLONE_NEWNET))
		return -1;
	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || (bind_it ? bind : connect)(fd, (struct sockaddr *)&a,
						 sizeof(a)))
		err = errno;
	if (fd >= 0)
		close(fd);
	if (setns(home, CLONE_NEWNET))
		return -1;
	return err;
}

#define connect_from(ns, home, cid, port) sock_from(ns, home, false, cid, port)
#define bind_from(ns, home, port) sock_from(ns, home, true, VMADDR_CID_ANY, port)

static __u64 counter(int fd, int which, int op)
{
	struct vsock_cidreg_stats st;

	if (reg_stats(fd, &st))
		return ~0ULL;
	return which == 0 ? st.allowed[op] : which == 1 ? st.denied[op] :
	       st.audited[op];
}

struct dumped {
	__u32 cid;
	int n;		/* entries of @cid */
	int local;	/* of them, in a local space */
	int attached;
};

static void count_cid(const struct nlmsghdr *h, void *arg)
{
	struct dumped *d = arg;
	__u32 info;

	if (nl_u32(nl_attr(h, VSOCK_CIDREG_A_CID)) != d->cid)
		return;
	info = nl_u32(nl_attr(h, VSOCK_CIDREG_A_INFO));
	d->n++;
	d->local += !!(info & VSOCK_CIDREG_INFO_LOCAL);
	d->attached += !!(info & VSOCK_CIDREG_INFO_ATTACHED);
}

/* A full dump (every space), as an admin in the initial netns sees it. */
static struct dumped dump_cid(__u32 cid)
{
	struct dumped d = { .cid = cid, .n = -1 };
	struct nl_msg m;
	struct nl nl;

	if (nl_open(&nl))
		return d;
	d.n = 0;
	nl_msg_init(&m, &nl, VSOCK_CIDREG_CMD_GET, NLM_F_DUMP);
	if (nl_request(&nl, &m, count_cid, &d, NULL))
		d.n = -1;
	nl_close(&nl);
	return d;
}

static long long reserve_for(int fd, int ns, __u32 cid, __u32 flags)
{
	return reg_reserve(fd, (struct vsock_cidreg_reserve){
		.cid = cid, .netns_fd = ns,
		.flags = flags | VSOCK_CIDREG_RESERVE_NETNS,
	});
}

/* Row "the same CID in two pods": reserved and run in both, and globally. */
TEST_F_TIMEOUT(localns, two_local_namespaces_reserve_and_run_the_same_cid, SLOW)
{
	struct vsock_cidreg_release r = {
		.size = sizeof(r), .flags = VSOCK_CIDREG_RELEASE_NETNS,
		.cid = 7100,
	};
	struct vsock_cidreg_entry e;
	int d1, d2, dg, d1b;
	struct dumped d;

	ASSERT_EQ(7100, reserve_for(self->fd, self->l1, 7100, 0));
	ASSERT_EQ(7100, reserve_for(self->fd, self->l2, 7100, 0));
	ASSERT_EQ(7100, reserve_for(self->fd, self->g, 7100, 0));
	/* Each space has its one entry of 7100. */
	ASSERT_EQ(0, query_from(self->fd, 7100, self->l1, self->init, &e));
	EXPECT_EQ((__u32)(VSOCK_CIDREG_INFO_OWN | VSOCK_CIDREG_INFO_LOCAL), e.info);
	EXPECT_EQ((__u64)netns_inode(self->l1), e.netns_ino);
	ASSERT_EQ(0, query_from(self->fd, 7100, self->l2, self->init, &e));
	EXPECT_EQ((__u64)netns_inode(self->l2), e.netns_ino);
	ASSERT_EQ(0, reg_query(self->fd, 7100, &e));
	EXPECT_EQ((__u64)netns_inode(self->g), e.netns_ino);
	EXPECT_EQ(0, (int)(e.info & VSOCK_CIDREG_INFO_LOCAL));

	/* Three devices hold 7100 at once, each in its own space. */
	d1 = dev_open_in(self->l1, self->init);
	d2 = dev_open_in(self->l2, self->init);
	dg = dev_open_in(self->g, self->init);
	ASSERT_LE(0, d1);
	ASSERT_LE(0, d2);
	ASSERT_LE(0, dg);
	EXPECT_EQ(0, set_cid_from(d1, 7100, self->l1, self->init));
	EXPECT_EQ(0, set_cid_from(d2, 7100, self->l2, self->init));
	EXPECT_EQ(0, set_cid_from(dg, 7100, self->g, self->init));
	ASSERT_EQ(0, query_from(self->fd, 7100, self->l1, self->init, &e));
	EXPECT_NE(0, (int)(e.info & VSOCK_CIDREG_INFO_ATTACHED));
	EXPECT_EQ(getpid(), (int)e.holder_pid);
	ASSERT_EQ(0, query_from(self->fd, 7100, self->l2, self->init, &e));
	EXPECT_NE(0, (int)(e.info & VSOCK_CIDREG_INFO_ATTACHED));
	/* A second device of the same pod: the kernel's own EADDRINUSE. */
	/* A dump lists the three, attached, two in local spaces. */
	d = dump_cid(7100);
	EXPECT_EQ(3, d.n);
	EXPECT_EQ(2, d.local);
	EXPECT_EQ(3, d.attached);
	d1b = dev_open_in(self->l1, self->init);
	ASSERT_LE(0, d1b);
	EXPECT_EQ(EADDRINUSE, set_cid_from(d1b, 7100, self->l1, self->init));
	close(d1b);
	/* The CID is taken in each space, not across them. */
	EXPECT_EQ(-EADDRINUSE, reserve_for(self->fd, self->l1, 7100, 0));
	close(d1);
	close(d2);
	close(dg);
	/* A transfer stays within a space. */
	EXPECT_EQ(-EXDEV, reg_transfer(self->fd, 7100, self->l1, 0));
	/* Released by netns: l1's entry alone. */
	EXPECT_EQ(1, reg_release_all(self->fd, VSOCK_CIDREG_RELEASE_NETNS,
				     self->l1));
	EXPECT_EQ(-ENOENT, query_from(self->fd, 7100, self->l1, self->init, &e));
	EXPECT_EQ(0, query_from(self->fd, 7100, self->l2, self->init, &e));
	EXPECT_EQ(0, reg_query(self->fd, 7100, &e));
	/* One CID of a local space, released from the initial netns. */
	r.netns_fd = self->l2;
	EXPECT_EQ(0, ioctl(self->fd, VSOCK_CIDREG_IOC_RELEASE, &r));
	EXPECT_EQ(1, (int)r.count);
	EXPECT_EQ(-ENOENT, query_from(self->fd, 7100, self->l2, self->init, &e));
	EXPECT_EQ(0, reg_query(self->fd, 7100, &e));
}

/* Row "a reservation elsewhere": global ones do not refuse a local pod. */
TEST_F_TIMEOUT(localns, a_local_pod_is_never_refused_for_another_spaces_cid, SLOW)
{
	__u64 denied = counter(self->fd, 1, VSOCK_CIDREG_OP_SET_CID);
	struct vsock_cidreg_entry e;
	int d1, dg;

	ASSERT_EQ(7200, reg_reserve_cid(self->fd, 7200, 0));	/* initial */
	d1 = dev_open_in(self->l1, self->init);
	dg = dev_open_in(self->g, self->init);
	ASSERT_LE(0, d1);
	ASSERT_LE(0, dg);
	/* The local pod's 7200 is its own (adopted in its space)... */
	EXPECT_EQ(0, set_cid_from(d1, 7200, self->l1, self->init));
	ASSERT_EQ(0, query_from(self->fd, 7200, self->l1, self->init, &e));
	EXPECT_EQ(VSOCK_CIDREG_KIND_ADOPTED, (int)e.kind);
	EXPECT_EQ((__u32)(VSOCK_CIDREG_INFO_OWN | VSOCK_CIDREG_INFO_LOCAL |
			  VSOCK_CIDREG_INFO_ATTACHED), e.info);
	EXPECT_EQ(denied, counter(self->fd, 1, VSOCK_CIDREG_OP_SET_CID));
	/* ...while a global pod is refused the initial netns's, as before. */
	EXPECT_EQ(EADDRINUSE, set_cid_from(dg, 7200, self->g, self->init));
	EXPECT_EQ(denied + 1, counter(self->fd, 1, VSOCK_CIDREG_OP_SET_CID));
	/* The device going ends the adopted entry. */
	close(d1);
	EXPECT_EQ(-ENOENT, query_from(self->fd, 7200, self->l1, self->init, &e));
	close(dg);
}

/* Rows "a device fd passed on": the device keeps the netns it was opened in. */
TEST_F_TIMEOUT(localns, a_device_keeps_the_netns_it_was_opened_in, SLOW)
{
	struct vsock_cidreg_entry e;
	int d1, di;

	ASSERT_EQ(7300, reg_reserve_cid(self->fd, 7300, 0));	/* initial */
	ASSERT_EQ(7301, reserve_for(self->fd, self->g, 7301, 0));
	/* Opened in local l1, passed to the global pod g: l1's space. */
	d1 = dev_open_in(self->l1, self->init);
	ASSERT_LE(0, d1);
	EXPECT_EQ(0, set_cid_from(d1, 7300, self->g, self->init));
	ASSERT_EQ(0, query_from(self->fd, 7300, self->l1, self->init, &e));
	EXPECT_EQ(VSOCK_CIDREG_KIND_ADOPTED, (int)e.kind);
	EXPECT_EQ((__u64)netns_inode(self->l1), e.netns_ino);
	EXPECT_NE(0, (int)(e.info & VSOCK_CIDREG_INFO_ATTACHED));
	/* The global entries did not move. */
	ASSERT_EQ(0, reg_query(self->fd, 7300, &e));
	EXPECT_EQ((__u64)netns_inode(self->init), e.netns_ino);
	EXPECT_EQ(0, (int)(e.info & VSOCK_CIDREG_INFO_ATTACHED));
	/* And back in l1, to another CID: the first adopted entry ends. */
	EXPECT_EQ(0, set_cid_from(d1, 7302, self->l1, self->init));
	EXPECT_EQ(-ENOENT, query_from(self->fd, 7300, self->l1, self->init, &e));
	ASSERT_EQ(0, query_from(self->fd, 7302, self->l1, self->init, &e));
	EXPECT_NE(0, (int)(e.info & VSOCK_CIDREG_INFO_ATTACHED));
	close(d1);

	/*
	 * Opened in the trusted initial netns, passed into a pod: the rules
	 * apply to the pod, global or local, which gets nothing of others.
	 */
	di = dev_open_in(self->init, self->init);
	ASSERT_LE(0, di);
	EXPECT_EQ(EADDRINUSE, set_cid_from(di, 7300, self->g, self->init));
	EXPECT_EQ(EADDRINUSE, set_cid_from(di, 7300, self->l1, self->init));
	EXPECT_EQ(EADDRINUSE, set_cid_from(di, 7301, self->l1, self->init));
	EXPECT_EQ(0, set_cid_from(di, 7301, self->g, self->init));
	ASSERT_EQ(0, reg_query(self->fd, 7301, &e));
	EXPECT_NE(0, (int)(e.info & VSOCK_CIDREG_INFO_ATTACHED));
	close(di);
}

/* Rows "connections" and "protected ports". */
TEST_F_TIMEOUT(localns, local_sockets_are_left_to_the_kernel_but_for_protected_ports, SLOW)
{
	__u64 denied = counter(self->fd, 1, VSOCK_CIDREG_OP_CONNECT);
	__u64 allowed = counter(self->fd, 0, VSOCK_CIDREG_OP_CONNECT);
	int d1;

	/* 7400: the initial netns's in the global space, l1's device's. */
	ASSERT_EQ(7400, reg_reserve_cid(self->fd, 7400, 0));
	d1 = dev_open_in(self->l1, self->init);
	ASSERT_LE(0, d1);
	ASSERT_EQ(0, set_cid_from(d1, 7400, self->l1, self->init));
	/* l1 reaches its own device, whatever the global space says. */
	EXPECT_EQ(vhost_stopped_connect_errno(),
		  connect_from(self->l1, self->init, 7400, 1234));
	/* l2 and the initial netns do not see it: the kernel's ENODEV. */
	EXPECT_EQ(ENODEV, connect_from(self->l2, self->init, 7400, 1234));
	EXPECT_EQ(ENODEV, connect_from(self->init, self->init, 7400, 1234));
	/* The global pod is refused the initial netns's CID, as before. */
	EXPECT_EQ(EACCES, connect_from(self->g, self->init, 7400, 1234));
	EXPECT_EQ(denied + 1, counter(self->fd, 1, VSOCK_CIDREG_OP_CONNECT));
	/* Only the initial netns's own connect was checked (and allowed). */
	EXPECT_EQ(allowed + 1, counter(self->fd, 0, VSOCK_CIDREG_OP_CONNECT));
	close(d1);

	/* Protected ports hold in local namespaces too, trust lifts them. */
	ASSERT_EQ(0, reg_set_param("protected_ports", PORT_P));
	EXPECT_EQ(EACCES, bind_from(self->l1, self->init, PORT_P));
	ASSERT_EQ(0, reg_trust(self->fd, self->l1, 0));
	EXPECT_EQ(0, bind_from(self->l1, self->init, PORT_P));
	EXPECT_EQ(0, reg_trust(self->fd, self->l1, VSOCK_CIDREG_TRUST_REMOVE));
}

/* Rows "any-CID allocation", "quota", "strict", "audit", "events". */
TEST_F_TIMEOUT(localns, allocation_quota_strict_audit_and_events_work_in_a_local_space, SLOW)
{
	struct vsock_cidreg_entry e;
	struct nl_msg m;
	struct nl ev;
	long long c;
	int d1;

	ASSERT_EQ(0, nl_open(&ev));
	ASSERT_EQ(0, nl_join_events(&ev));
	/* Any-CID, lowest: the same first CID in two spaces. */
	c = reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid_min = 7500, .cid_max = 7509, .netns_fd = self->l1,
		.flags = VSOCK_CIDREG_RESERVE_ANY | VSOCK_CIDREG_RESERVE_LOWEST |
			 VSOCK_CIDREG_RESERVE_NETNS });
	EXPECT_EQ(7500, c);
	EXPECT_EQ(0, nl_recv(&ev, &m, 10000));
	EXPECT_EQ(VSOCK_CIDREG_EVENT_RESERVED,
		  (int)nl_u32(nl_attr((struct nlmsghdr *)m.buf,
				      VSOCK_CIDREG_A_EVENT)));
	EXPECT_EQ((uint64_t)netns_inode(self->l1),
		  nl_u64(nl_attr((struct nlmsghdr *)m.buf,
				 VSOCK_CIDREG_A_NETNS_INO)));
	/*
	 * In l1's own space, which the event says: CID 7500 is also taken in
	 * l2's, below. Events once could not tell the spaces apart.
	 */
	ASSERT_NE(NULL, nl_attr((struct nlmsghdr *)m.buf, VSOCK_CIDREG_A_INFO));
	EXPECT_EQ((uint32_t)VSOCK_CIDREG_INFO_LOCAL,
		  nl_u32(nl_attr((struct nlmsghdr *)m.buf, VSOCK_CIDREG_A_INFO)));
	c = reg_reserve(self->fd, (struct vsock_cidreg_reserve){
		.cid_min = 7500, .cid_max = 7509, .netns_fd = self->l2,
		.flags = VSOCK_CIDREG_RESERVE_ANY | VSOCK_CIDREG_RESERVE_LOWEST |
			 VSOCK_CIDREG_RESERVE_NETNS });
	EXPECT_EQ(7500, c);
	/* The quota counts per netns, in a local space as elsewhere. */
	ASSERT_EQ(0, reg_set_param("quota", 2));
	EXPECT_EQ(7501, reserve_for(self->fd, self->l1, 7501, 0));
	EXPECT_EQ(-EDQUOT, reserve_for(self->fd, self->l1, 7502, 0));
	ASSERT_EQ(0, reg_set_param("quota", 256));

	/* strict: a CID the local pod did not reserve is refused... */
	ASSERT_EQ(0, reg_set_param("strict", 1));
	d1 = dev_open_in(self->l1, self->init);
	ASSERT_LE(0, d1);
	EXPECT_EQ(EPERM, set_cid_from(d1, 7503, self->l1, self->init));
	/* ...its own is not. */
	EXPECT_EQ(0, set_cid_from(d1, 7501, self->l1, self->init));
	/* audit: the refusal becomes a record. */
	ASSERT_EQ(0, reg_set_param_str("mode", "audit"));
	EXPECT_EQ(0, set_cid_from(d1, 7504, self->l1, self->init));
	ASSERT_EQ(0, query_from(self->fd, 7504, self->l1, self->init, &e));
	EXPECT_EQ(VSOCK_CIDREG_KIND_ADOPTED, (int)e.kind);
	EXPECT_LE(1ULL, counter(self->fd, 2, VSOCK_CIDREG_OP_SET_CID));
	close(d1);
	nl_close(&ev);
}

/* Row "a pod's end frees its CIDs". */
TEST_F_TIMEOUT(localns, a_local_pods_end_frees_its_cids, SLOW)
{
	struct vsock_cidreg_entry e;
	int l3;

	l3 = netns_add_local("cidreg-l3");
	ASSERT_LE(0, l3);
	ASSERT_EQ(7600, reserve_for(self->fd, l3, 7600,
				    VSOCK_CIDREG_RESERVE_PERSISTENT));
	ASSERT_EQ(0, query_from(self->fd, 7600, l3, self->init, &e));
	EXPECT_EQ(1, dump_cid(7600).n);
	close(l3);
	netns_del("cidreg-l3");
	/* The netns ends once its last reference goes (asynchronously). */
	for (int i = 0; i < 600 && dump_cid(7600).n; i++)
		usleep(100 * 1000);
	EXPECT_EQ(0, dump_cid(7600).n);
}

/*
 * The KubeVirt-shaped flow on local pods, with real guests: the agent
 * reserves for pods, each pod's QEMU starts its guest on its CID, another
 * pod using the same CID gets its own guest (strict: refused), the agent
 * reaches a guest only from inside the pod's netns (the kernel locks the
 * initial netns out), and the pod's end frees its CIDs. With the module
 * unloaded, the same flow measures what the kernel gives alone.
 */
static void kubevirt_flow(struct __test_metadata *_metadata,
			  FIXTURE_DATA(localns) *self, bool module)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = 7700,
				 .svm_port = PORT };
	struct gsim *g1, *g2;
	char buf[8] = "";
	int s, fd;

	if (module) {
		ASSERT_EQ(7700, reserve_for(self->fd, self->l1, 7700, 0));
		ASSERT_EQ(7701, reserve_for(self->fd, self->l2, 7701, 0));
	}
	/* Pod 1's QEMU starts its guest on 7700. */
	ASSERT_EQ(0, setns(self->l1, CLONE_NEWNET));
	g1 = gsim_create(7700);
	ASSERT_EQ(0, setns(self->init, CLONE_NEWNET));
	ASSERT_NE(NULL, g1) TH_LOG("gsim_create: %s", strerror(errno));
	/* Pod 2's QEMU asks for 7700 too: its own guest, in its own space. */
	ASSERT_EQ(0, setns(self->l2, CLONE_NEWNET));
	g2 = gsim_create(7700);
	ASSERT_EQ(0, setns(self->init, CLONE_NEWNET));
	ASSERT_NE(NULL, g2) TH_LOG("gsim_create: %s", strerror(errno));
	ASSERT_EQ(0, gsim_listen(g1, PORT));
	ASSERT_EQ(0, gsim_listen(g2, PORT));

	/* The initial netns (the node agent) does not reach local guests. */
	EXPECT_EQ(ENODEV, connect_from(self->init, self->init, 7700, PORT));
	/* From inside pod 1's netns it reaches pod 1's guest. */
	ASSERT_EQ(0, setns(self->l1, CLONE_NEWNET));
	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	ASSERT_EQ(0, setns(self->init, CLONE_NEWNET));
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINPROGRESS, errno);
	s = gsim_accept(g1, PORT, TMO);
	ASSERT_LE(0, s) TH_LOG("accept: %s", strerror(-s));
	/* The other guest with the same CID saw nothing. */
	EXPECT_EQ(-ETIMEDOUT, gsim_accept(g2, PORT, 500));
	EXPECT_EQ(4, gsim_send(g1, s, "pong", 4, TMO));
	fcntl(fd, F_SETFL, 0);
	EXPECT_EQ(4, recv(fd, buf, 4, 0));
	EXPECT_STREQ("pong", buf);
	close(fd);
	gsim_destroy(g2);
	gsim_destroy(g1);
	if (module) {
		struct vsock_cidreg_entry e;

		/* strict: pod 2 is refused a CID it did not reserve. */
		ASSERT_EQ(0, reg_set_param("strict", 1));
		ASSERT_EQ(0, setns(self->l2, CLONE_NEWNET));
		g2 = gsim_create(7700);
		ASSERT_EQ(0, setns(self->init, CLONE_NEWNET));
		EXPECT_EQ(NULL, g2);
		EXPECT_EQ(EPERM, errno);
		if (g2)
			gsim_destroy(g2);
		ASSERT_EQ(0, reg_set_param("strict", 0));
		/* The pod's end frees its CIDs. */
		ASSERT_EQ(0, query_from(self->fd, 7701, self->l2, self->init,
					&e));
		EXPECT_EQ(1, dump_cid(7701).n);
		close(self->l2);
		self->l2 = -1;
		netns_del("cidreg-l2");
		for (int i = 0; i < 600 && dump_cid(7701).n; i++)
			usleep(100 * 1000);
		EXPECT_EQ(0, dump_cid(7701).n);
	}
}

TEST_F_TIMEOUT(localns, kubevirt_flow_with_the_module, SLOW)
{
	kubevirt_flow(_metadata, self, true);
}

TEST_F_TIMEOUT(localns, kubevirt_flow_with_the_kernel_alone, SLOW)
{
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, module_unload("vsock_cidreg"));
	kubevirt_flow(_metadata, self, false);
	self->fd = reg_ready();
	ASSERT_LE(0, self->fd);
}

TEST_HARNESS_MAIN
