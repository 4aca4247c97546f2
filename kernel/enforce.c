// SPDX-License-Identifier: GPL-2.0
/*
 * Enforcement: the rules of Documentation/enforcement.md, applied by the
 * wrappers the hook layer (hooks.c) redirects vsock and vhost_vsock to.
 *
 * - SET_GUEST_CID: vhost_vsock_dev_ioctl() is wrapped to mark the task
 *   while it runs; vhost_vsock_set_cid() (inlined) then calls
 *   vsock_find_cid() with the CID it is about to use, read from user
 *   memory for the last time: that value is the one checked, so a thread
 *   rewriting the CID in user memory cannot slip a refused CID through.
 *   A refusal there makes vhost answer EADDRINUSE, which the ioctl wrapper
 *   turns into EPERM.
 * - Connections: vsock_assign_transport() sees the socket's netns and the
 *   peer CID, on connect() and on a connection a listener receives.
 * - Bind: __vsock_bind() sees explicit and implicit binds.
 * - Linux 7.0+: a netns in vsock's local mode is isolated by the kernel;
 *   its sockets pass (but for protected ports), and its devices' CIDs
 *   are kept in its own space of the registry. A device's netns is the
 *   one it was opened in (vhost_vsock_dev_open() is wrapped to learn it).
 *
 * Lookups on the socket paths are RCU only, and nothing is allocated;
 * SET_GUEST_CID locks the registry from its check until vhost has
 * published the CID (cidreg_vhost_claim()). With mode=off every wrapper
 * costs one test before calling the original.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bsearch.h>
#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nsproxy.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/vhost.h>
#include <linux/vm_sockets.h>
#include <net/sock.h>	/* before af_vsock.h, which needs it up to 5.10 */
#include <net/af_vsock.h>
#include <net/net_namespace.h>

#include "compat.h"
#include "enforce.h"
#include "events.h"
#include "hooks.h"
#include "netns.h"
#include "registry.h"
#include "settings.h"

/* Counters and verdicts */

struct cidreg_counters {
	u64 allowed[VSOCK_CIDREG_OP_COUNT];
	u64 denied[VSOCK_CIDREG_OP_COUNT];
	u64 audited[VSOCK_CIDREG_OP_COUNT];
};

static DEFINE_PER_CPU(struct cidreg_counters, cidreg_counters);

/**
 * cidreg_stats_read() - the mode and the counters.
 * @out: filled in; the caller zeroed it.
 */
void cidreg_stats_read(struct vsock_cidreg_stats *out)
{
	int cpu, op;

	out->mode = cidreg_setting_mode();
	out->strict = cidreg_setting_strict();
	for_each_possible_cpu(cpu) {
		const struct cidreg_counters *c = per_cpu_ptr(&cidreg_counters,
							      cpu);

		for (op = 0; op < VSOCK_CIDREG_OP_COUNT; op++) {
			out->allowed[op] += READ_ONCE(c->allowed[op]);
			out->denied[op] += READ_ONCE(c->denied[op]);
			out->audited[op] += READ_ONCE(c->audited[op]);
		}
	}
}

/*
 * Counts a check of @op and, if it fails (@rule, enum vsock_cidreg_rule,
 * says why), logs it. Returns whether the operation must be refused: it
 * failed and the mode is enforce.
 */
static bool cidreg_refuse(enum vsock_cidreg_op op, bool allowed, u32 rule,
			  const struct net *net, u32 cid, u32 port)
{
	u32 mode = cidreg_setting_mode();

	if (allowed) {
		this_cpu_inc(cidreg_counters.allowed[op]);
		return false;
	}
	if (mode == VSOCK_CIDREG_MODE_AUDIT)
		this_cpu_inc(cidreg_counters.audited[op]);
	else
		this_cpu_inc(cidreg_counters.denied[op]);
	cidreg_event_denied(op, rule, mode, net, cid, port);
	return mode != VSOCK_CIDREG_MODE_AUDIT;
}

static bool cidreg_off(void)
{
	return cidreg_setting_mode() == VSOCK_CIDREG_MODE_OFF;
}

/* The netns of each device (7.0+) */

#ifdef CIDREG_VSOCK_NETNS
/**
 * struct cidreg_dev - a /dev/vhost-vsock device and the netns it belongs
 *	to, as vhost took it at open().
 * @node: in cidreg_devs, hashed by @dev.
 * @dev: the device (its struct vhost_vsock); only compared.
 * @net: its netns. No reference: the device holds one until it is
 *	released, and the release wrapper forgets it first.
 */
struct cidreg_dev {
	struct hlist_node node;
	const void *dev;
	struct net *net;
};

static DEFINE_HASHTABLE(cidreg_devs, 6);
static DEFINE_SPINLOCK(cidreg_devs_lock);

/**
 * cidreg_vhost_open_wrapper() - wraps vhost_vsock_dev_open() (7.0+).
 * @inode: the inode.
 * @f: the /dev/vhost-vsock file.
 *
 * Records the device's netns. Should that fail (no memory), the device
 * is taken for one of a global-mode netns, the stricter side.
 *
 * Return: what vhost returns.
 */
static int cidreg_vhost_open_wrapper(struct inode *inode, struct file *f)
{
	struct cidreg_dev *d = kmalloc(sizeof(*d), GFP_KERNEL);
	int idx = cidreg_hook_enter();
	int ret;

	ret = cidreg_orig_vhost_open(inode, f);
	if (!ret && d) {
		d->dev = f->private_data;
		d->net = current->nsproxy->net_ns;	/* what vhost took */
		spin_lock(&cidreg_devs_lock);
		hash_add(cidreg_devs, &d->node, (unsigned long)d->dev);
		spin_unlock(&cidreg_devs_lock);
		d = NULL;
	}
	cidreg_hook_exit(idx);
	kfree(d);
	return ret;
}

/* The record of @dev, or NULL. Under cidreg_devs_lock. */
static struct cidreg_dev *cidreg_dev_find(const void *dev)
{
	struct cidreg_dev *d;

	lockdep_assert_held(&cidreg_devs_lock);
	hash_for_each_possible(cidreg_devs, d, node, (unsigned long)dev)
		if (d->dev == dev)
			return d;
	return NULL;
}

/* The netns of @dev, or NULL when it was opened before we were loaded. */
static struct net *cidreg_dev_net(const void *dev)
{
	struct cidreg_dev *d;
	struct net *net;

	spin_lock(&cidreg_devs_lock);
	d = cidreg_dev_find(dev);
	net = d ? d->net : NULL;
	spin_unlock(&cidreg_devs_lock);
	return net;
}

static void cidreg_dev_forget(const void *dev)
{
	struct cidreg_dev *d;

	spin_lock(&cidreg_devs_lock);
	d = cidreg_dev_find(dev);
	if (d)
		hash_del(&d->node);
	spin_unlock(&cidreg_devs_lock);
	kfree(d);
}

/* Devices still open at unload (vhost_vsock stays, with them). */
static void cidreg_devs_exit(void)
{
	struct hlist_node *tmp;
	struct cidreg_dev *d;
	int bkt;

	hash_for_each_safe(cidreg_devs, bkt, tmp, d, node) {
		hash_del(&d->node);
		kfree(d);
	}
}
#else
static struct net *cidreg_dev_net(const void *dev)
{
	return NULL;
}

static void cidreg_dev_forget(const void *dev)
{
}

static void cidreg_devs_exit(void)
{
}
#endif

/* SET_GUEST_CID */

/*
 * A test point: SET_GUEST_CID sleeps this long between its check and vhost
 * publishing the CID, with the registry locked, so that a test can
 * interleave other operations there deterministically.
 * cidreg_setcid_delays counts the sleeps, for the test to see one begin.
 * It exists only in a module loaded with test_points=1 (never by a node's
 * configuration), in debugfs, and only CAP_SYS_ADMIN sets it: it freezes
 * the registry for as long as it says.
 */
static bool cidreg_test_points;
module_param_named(test_points, cidreg_test_points, bool, 0);
MODULE_PARM_DESC(test_points, "Tests only: the debugfs test points (default N)");
static u32 cidreg_setcid_delay_ms;
static u32 cidreg_setcid_delays;
static struct dentry *cidreg_debugfs;

static int cidreg_setcid_delay_get(void *data, u64 *val)
{
	*val = READ_ONCE(cidreg_setcid_delay_ms);
	return 0;
}

static int cidreg_setcid_delay_set(void *data, u64 val)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (val > 10000)
		return -ERANGE;
	WRITE_ONCE(cidreg_setcid_delay_ms, val);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(cidreg_setcid_delay_fops, cidreg_setcid_delay_get,
			 cidreg_setcid_delay_set, "%llu\n");

static void cidreg_setcid_test_point(void)
{
	u32 ms = min_t(u32, READ_ONCE(cidreg_setcid_delay_ms), 10000);

	if (!ms)
		return;
	WRITE_ONCE(cidreg_setcid_delays, cidreg_setcid_delays + 1);
	msleep(ms);
}

/**
 * struct cidreg_setcid - a VHOST_VSOCK_SET_GUEST_CID in progress.
 * @node: in cidreg_setcids.
 * @task: the task running it.
 * @dev: its device.
 * @space: the registry space of the device's CIDs.
 * @net: who claims the CID: the device's netns when it is in local mode
 *	(the kernel keeps the device to it), else the caller's.
 * @cid: the CID vhost is about to use, once @checked.
 * @checked: vsock_find_cid() saw it.
 * @refused: it was refused.
 * @err: the errno of a refusal: -EADDRINUSE (another netns's), -EPERM,
 *	-EDQUOT (adopting it beyond the quota) or -ENOMEM.
 * @adopted: an adopted entry was made for it.
 * @allowed: the check let it through; counted as allowed once vhost
 *	took it.
 * @observe: mode off: the CID is only noted, not checked, so that the
 *	registry can let go the one the device held before.
 *
 * Once @checked (unless @observe), the registry is locked until the ioctl
 * returns: what was decided holds when vhost publishes the CID
 * (cidreg_vhost_claim()).
 */
struct cidreg_setcid {
	struct list_head node;
	struct task_struct *task;
	const void *dev;
	struct cidreg_space *space;
	struct net *net;
	u32 cid;
	bool checked;
	bool refused;
	int err;
	bool adopted;
	bool allowed;
	bool observe;
};

static LIST_HEAD(cidreg_setcids);
static DEFINE_SPINLOCK(cidreg_setcids_lock);

static struct cidreg_setcid *cidreg_setcid_current(void)
{
	struct cidreg_setcid *sc, *found = NULL;

	/* Ours, if any, was added by this task: no race on emptiness. */
	if (list_empty(&cidreg_setcids))
		return NULL;
	spin_lock(&cidreg_setcids_lock);
	list_for_each_entry(sc, &cidreg_setcids, node) {
		if (sc->task == current) {
			found = sc;
			break;
		}
	}
	spin_unlock(&cidreg_setcids_lock);
	return found;
}

/* Decides on the CID vhost is about to set. Returns whether to refuse. */
static bool cidreg_setcid_check(struct cidreg_setcid *sc)
{
	struct net *net = sc->net;
	bool trusted = cidreg_net_trusted(net);
	bool strict = cidreg_setting_strict();
	bool audit = cidreg_setting_mode() == VSOCK_CIDREG_MODE_AUDIT;
	u32 rule = VSOCK_CIDREG_RULE_UNRESERVED;
	bool allowed;

	switch (cidreg_vhost_claim(sc->space, sc->cid, net,
				   !strict || trusted || audit, &sc->adopted)) {
	case CIDREG_CLAIM_OWNED:
		allowed = true;
		break;
	case CIDREG_CLAIM_FOREIGN:
		/*
		 * Another netns's reservation, whoever asks: busy, as a CID
		 * a running VM holds, so that probing allocators move on.
		 * Trust reaches guests; it never takes a reservation.
		 */
		allowed = false;
		rule = VSOCK_CIDREG_RULE_FOREIGN;
		sc->err = -EADDRINUSE;
		break;
	case CIDREG_CLAIM_OVER_QUOTA:
		allowed = false;
		rule = VSOCK_CIDREG_RULE_QUOTA;
		sc->err = -EDQUOT;
		break;
	case CIDREG_CLAIM_NOMEM:
		/* Not a verdict on the caller: neither counted nor audited. */
		sc->err = -ENOMEM;
		sc->refused = true;
		return true;
	default:
		allowed = !strict || trusted;
		break;
	}
	/* Allowed is counted when vhost has taken the CID, not here. */
	sc->allowed = allowed;
	if (allowed)
		return false;
	sc->refused = cidreg_refuse(VSOCK_CIDREG_OP_SET_CID, false, rule, net,
				    sc->cid, 0);
	return sc->refused;
}

/**
 * cidreg_find_cid_wrapper() - wraps vsock_find_cid().
 * @cid: the CID.
 *
 * Return: what vsock_find_cid() returns, or true (taken) for a CID a
 * SET_GUEST_CID of this task may not set.
 */
static bool cidreg_find_cid_wrapper(unsigned int cid)
{
	struct cidreg_setcid *sc;
	int idx = cidreg_hook_enter();
	bool ret;

	sc = cidreg_setcid_current();
	if (sc && !sc->checked) {
		sc->checked = true;
		sc->cid = cid;
		if (!sc->observe && cidreg_setcid_check(sc)) {
			ret = true;
			goto out;
		}
		cidreg_setcid_test_point();
	}
	ret = cidreg_orig_find_cid(cid);
out:
	cidreg_hook_exit(idx);
	return ret;
}

/**
 * cidreg_vhost_ioctl_wrapper() - wraps vhost_vsock_dev_ioctl().
 * @f: the /dev/vhost-vsock file.
 * @ioctl: the request.
 * @arg: its argument.
 *
 * Return: what vhost returns; EPERM for a refused SET_GUEST_CID, EDQUOT
 * for one that would adopt a CID beyond its netns's quota, ENOMEM when
 * what it needs recorded cannot be allocated.
 */
static long cidreg_vhost_ioctl_wrapper(struct file *f, unsigned int ioctl,
				       unsigned long arg)
{
	struct cidreg_setcid sc = { .task = current, .dev = f->private_data };
	int idx = cidreg_hook_enter();
	struct net *dev_net;
	long ret;

	if (ioctl != VHOST_VSOCK_SET_GUEST_CID) {
		ret = cidreg_orig_vhost_ioctl(f, ioctl, arg);
		goto out;
	}
	sc.observe = cidreg_off();
	/* The file is held for the call, and the device's netns with it. */
	dev_net = cidreg_dev_net(sc.dev);
	if (cidreg_net_local(dev_net)) {
		sc.net = dev_net;
		sc.space = cidreg_space_of(dev_net);
	} else {
		sc.net = current->nsproxy->net_ns;
		sc.space = cidreg_global_space();
	}

	spin_lock(&cidreg_setcids_lock);
	list_add(&sc.node, &cidreg_setcids);
	spin_unlock(&cidreg_setcids_lock);
	ret = cidreg_orig_vhost_ioctl(f, ioctl, arg);
	spin_lock(&cidreg_setcids_lock);
	list_del(&sc.node);
	spin_unlock(&cidreg_setcids_lock);

	if (sc.observe) {
		/* Nothing checked, nothing locked: the old CID is let go. */
		if (!ret && sc.checked)
			cidreg_vhost_moved(sc.dev, sc.space, sc.cid);
		goto out;
	}
	if (sc.refused && ret == -EADDRINUSE)
		ret = sc.err ?: -EPERM;
	if (!ret && sc.allowed)
		this_cpu_inc(cidreg_counters.allowed[VSOCK_CIDREG_OP_SET_CID]);
	if (!ret && sc.checked)
		cidreg_vhost_commit(sc.dev, sc.space, sc.cid, sc.adopted);
	else if (sc.checked)
		cidreg_vhost_abort(sc.space, sc.cid, sc.adopted);
out:
	cidreg_hook_exit(idx);
	return ret;
}

/**
 * cidreg_vhost_release_wrapper() - wraps vhost_vsock_dev_release().
 * @inode: the inode.
 * @f: the /dev/vhost-vsock file.
 *
 * The device lets its CID go (an adopted entry ends) before it is freed,
 * so its address is not reused meanwhile.
 *
 * Return: what vhost returns.
 */
static int cidreg_vhost_release_wrapper(struct inode *inode, struct file *f)
{
	int idx = cidreg_hook_enter();
	int ret;

	cidreg_vhost_detach(f->private_data);
	cidreg_dev_forget(f->private_data);
	ret = cidreg_orig_vhost_release(inode, f);
	cidreg_hook_exit(idx);
	return ret;
}

/* Connections */

static bool cidreg_connection_refused(struct vsock_sock *vsk,
				      struct vsock_sock *psk)
{
	struct sock *sk = sk_vsock(vsk);
	struct net *net = sock_net(sk);
	u32 cid = vsk->remote_addr.svm_cid;
	enum vsock_cidreg_op op;
	bool owned = false;

	if (sk->sk_type != SOCK_STREAM && sk->sk_type != SOCK_SEQPACKET)
		return false;
	/* The kernel keeps a local-mode netns's connections within it. */
	if (cidreg_net_local(net))
		return false;
	/* Loopback, the host, and what is forwarded to the host. */
	if (cid <= VMADDR_CID_HOST || cid == VMADDR_CID_ANY ||
	    cidreg_svm_to_host(&vsk->remote_addr))
		return false;
	if (psk && vsk->local_addr.svm_cid > VMADDR_CID_HOST)
		return false;

	op = psk ? VSOCK_CIDREG_OP_ACCEPT : VSOCK_CIDREG_OP_CONNECT;
	if (!cidreg_net_trusted(net))
		cidreg_owner(cid, net, &owned);
	else
		owned = true;
	/* The host's own guest-to-host CID (a nested host) is not a guest. */
	if (!owned && cidreg_cid_is_local(cid))
		return false;
	return cidreg_refuse(op, owned, VSOCK_CIDREG_RULE_NOT_OWNER, net, cid,
			     vsk->remote_addr.svm_port);
}

/**
 * cidreg_assign_transport_wrapper() - wraps vsock_assign_transport().
 * @vsk: the socket: connecting, or the child of a listener.
 * @psk: the listener, or NULL.
 *
 * Return: what vsock returns, or -EACCES for a refused connection (on the
 * listener's side, the transport then resets the guest's request).
 */
static int cidreg_assign_transport_wrapper(struct vsock_sock *vsk,
					   struct vsock_sock *psk)
{
	int idx = cidreg_hook_enter();
	int ret;

	if (!cidreg_off() && cidreg_connection_refused(vsk, psk))
		ret = -EACCES;
	else
		ret = cidreg_orig_assign_transport(vsk, psk);
	cidreg_hook_exit(idx);
	return ret;
}

/* Bind */

/* Put a bound socket back on vsock's unbound list, as before its bind. */
static void cidreg_unbind(struct vsock_sock *vsk, spinlock_t *lock,
			  struct list_head (*table)[VSOCK_HASH_SIZE + 1])
{
	spin_lock_bh(lock);
	list_move(&vsk->bound_table, &(*table)[VSOCK_HASH_SIZE]);
	memset(&vsk->local_addr, 0, sizeof(vsk->local_addr));
	vsk->local_addr.svm_family = AF_VSOCK;
	vsk->local_addr.svm_cid = VMADDR_CID_ANY;
	vsk->local_addr.svm_port = VMADDR_PORT_ANY;
	spin_unlock_bh(lock);
}

/*
 * An implicit bind of a stream socket landed on a protected port: give
 * the port back (the socket goes back to vsock's unbound list, as before
 * the bind) and bind again; vsock hands out ports in sequence, so the
 * next try gets another one, and one try more than there can be protected
 * ports gets past them all unless other binds race it there. Whatever the
 * outcome, the socket never stays on a protected port: when the tries run
 * out it is left unbound and the bind fails with -EADDRNOTAVAIL.
 */
static int cidreg_rebind(struct sock *sk, struct sockaddr_vm *addr,
			 const struct net *net)
{
	struct vsock_sock *vsk = vsock_sk(sk);
	struct list_head (*table)[VSOCK_HASH_SIZE + 1];
	spinlock_t *lock;	/* vsock's vsock_table_lock */
	int tries, err = 0;

	if (sk->sk_type != SOCK_STREAM && sk->sk_type != SOCK_SEQPACKET)
		return 0;
	/* The common case: nothing to undo, nothing to look up. */
	if (!cidreg_port_protected(vsk->local_addr.svm_port))
		return 0;
	/* Exported data of vsock, taken without a link-time dependency. */
	lock = symbol_get(vsock_table_lock);
	table = symbol_get(vsock_bind_table);
	if (!lock || !table) {
		err = -EADDRNOTAVAIL;
		goto out;
	}
	for (tries = 0; tries <= CIDREG_PORTS_MAX + 8; tries++) {
		u32 port = vsk->local_addr.svm_port;

		if (!cidreg_port_protected(port))
			goto out;
		if (!cidreg_refuse(VSOCK_CIDREG_OP_BIND_PORT, false,
				   VSOCK_CIDREG_RULE_PROTECTED_PORT, net,
				   vsk->local_addr.svm_cid, port))
			goto out;
		cidreg_unbind(vsk, lock, table);
		if (tries == CIDREG_PORTS_MAX + 8)
			break;
		err = cidreg_orig_bind(sk, addr);
		if (err)
			goto out;
	}
	err = -EADDRNOTAVAIL;
out:
	if (table)
		symbol_put(vsock_bind_table);
	if (lock)
		symbol_put(vsock_table_lock);
	return err;
}

/**
 * cidreg_bind_wrapper() - wraps __vsock_bind(), explicit and implicit binds.
 * @sk: the socket.
 * @addr: the address asked for.
 *
 * Return: what vsock returns, or -EACCES for a CID reserved by another
 * netns or a protected port.
 */
static int cidreg_bind_wrapper(struct sock *sk, struct sockaddr_vm *addr)
{
	int idx = cidreg_hook_enter();
	struct net *net = sock_net(sk);
	u32 cid = addr->svm_cid, port = addr->svm_port;
	bool trusted, owned;
	int ret;

	if (cidreg_off()) {
		ret = cidreg_orig_bind(sk, addr);
		goto out;
	}
	trusted = cidreg_net_trusted(net);
	/* A CID of a local-mode netns's own space: its own, or no one's. */
	if (cid > VMADDR_CID_HOST && cid != VMADDR_CID_ANY &&
	    !cidreg_net_local(net) && cidreg_owner(cid, net, &owned) &&
	    cidreg_refuse(VSOCK_CIDREG_OP_BIND_CID, owned || trusted,
			  VSOCK_CIDREG_RULE_FOREIGN, net, cid, port)) {
		ret = -EACCES;
		goto out;
	}
	if (port != VMADDR_PORT_ANY && cidreg_port_protected(port) &&
	    cidreg_refuse(VSOCK_CIDREG_OP_BIND_PORT, trusted,
			  VSOCK_CIDREG_RULE_PROTECTED_PORT, net, cid, port)) {
		ret = -EACCES;
		goto out;
	}
	ret = cidreg_orig_bind(sk, addr);
	if (!ret && port == VMADDR_PORT_ANY && !trusted)
		ret = cidreg_rebind(sk, addr, net);
out:
	cidreg_hook_exit(idx);
	return ret;
}

static const struct cidreg_wrappers cidreg_enforce_wrappers = {
	.find_cid = cidreg_find_cid_wrapper,
	.bind = cidreg_bind_wrapper,
	.assign_transport = cidreg_assign_transport_wrapper,
	.vhost_ioctl = cidreg_vhost_ioctl_wrapper,
	.vhost_release = cidreg_vhost_release_wrapper,
#ifdef CIDREG_VSOCK_NETNS
	.vhost_open = cidreg_vhost_open_wrapper,
#endif
};

/**
 * cidreg_enforce_init() - hook vsock and vhost_vsock to these wrappers.
 *
 * Return: 0 or a negative errno (see cidreg_hooks_init()).
 */
int cidreg_enforce_init(void)
{
	int err = cidreg_hooks_init(&cidreg_enforce_wrappers);

	if (err)
		return err;
	/* Without debugfs, the test point is not there: nothing else needs it. */
	if (!cidreg_test_points)
		return 0;
	cidreg_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file_unsafe("setcid_delay_ms", 0600, cidreg_debugfs, NULL,
				   &cidreg_setcid_delay_fops);
	debugfs_create_u32("setcid_delays", 0400, cidreg_debugfs,
			   &cidreg_setcid_delays);
	return 0;
}

/**
 * cidreg_enforce_exit() - unhook; free what is kept of devices, at unload.
 */
void cidreg_enforce_exit(void)
{
	debugfs_remove(cidreg_debugfs);
	cidreg_hooks_exit();
	cidreg_devs_exit();
}
