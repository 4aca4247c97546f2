// SPDX-License-Identifier: GPL-2.0
/*
 * The registry: reserved CIDs in an xarray indexed by CID, one per space
 * (struct cidreg_space: the global-mode namespaces together, and on 7.0+
 * each local-mode netns on its own, as vsock keeps them apart). Changes
 * are serialised by one mutex and take O(log n); lookups may run under
 * RCU alone, and entries are freed after a grace period.
 *
 * Every entry holds a reference on the module, so the module cannot be
 * unloaded while a reservation exists (enforcement never disappears
 * silently).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/hashtable.h>
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/user_namespace.h>
#include <linux/vm_sockets.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>

#include "compat.h"
#include "events.h"
#include "hooks.h"
#include "netns.h"
#include "registry.h"
#include "settings.h"

/**
 * struct cidreg_entry - one reserved CID.
 * @cid: the CID (also its index in the xarray of @space).
 * @kind: enum vsock_cidreg_kind.
 * @space: where it is: that of @net, or for an entry adopted by a device
 *	of a global-mode netns, the global space.
 * @net: the owning netns. No reference: the entry ends before the netns
 *	does (cidreg_release_net()).
 * @lease: the file holding the lease, or NULL.
 * @net_node: in the owner's cidreg_net.entries.
 * @lease_node: in @lease->leases.
 * @creator: the thread group that made it.
 * @uid: its uid.
 * @ctime_ns: creation time, CLOCK_REALTIME.
 * @comm: its command name.
 * @label: the label given.
 * @holder: the vhost-vsock device that holds the CID, if it took it while
 *	enforcement was on.
 * @charge: the pod it is charged to besides @net, or NULL
 *	(cidreg_charge()).
 * @rcu: frees the entry after RCU readers are done with it.
 */
struct cidreg_entry {
	u32 cid;
	u8 kind;
	struct cidreg_space *space;
	struct net *net;
	struct cidreg_file *lease;
	struct list_head net_node;
	struct list_head lease_node;
	struct pid *creator;
	kuid_t uid;
	u64 ctime_ns;
	char comm[TASK_COMM_LEN];
	char label[VSOCK_CIDREG_LABEL_MAX];
	struct cidreg_holder *holder;
	struct cidreg_charge *charge;
	struct rcu_head rcu;
};

/**
 * struct cidreg_holder - a vhost-vsock device holding a reserved CID.
 * @node: in cidreg_holders, hashed by @dev.
 * @dev: the device (its struct vhost_vsock); only compared, never used.
 * @space: the space of the CID.
 * @cid: the CID it holds.
 * @pid: the thread group that set the CID.
 */
struct cidreg_holder {
	struct hlist_node node;
	const void *dev;
	struct cidreg_space *space;
	u32 cid;
	struct pid *pid;
};

/* What a pod's entries are charged to: see cidreg_charge_of(). */
enum cidreg_charge_kind {
	CIDREG_CHARGE_NONE,
	CIDREG_CHARGE_PIDNS,
	CIDREG_CHARGE_USERNS,
	CIDREG_CHARGE_UID,
};

/**
 * struct cidreg_charge - the entries charged to one pod.
 * @node: in cidreg_charges.
 * @kind: enum cidreg_charge_kind: what @key is.
 * @key: a pid namespace or a user namespace (each holding a reference),
 *	or a uid of the initial user namespace.
 * @count: the entries charged.
 */
struct cidreg_charge {
	struct hlist_node node;
	enum cidreg_charge_kind kind;
	union {
		struct pid_namespace *pidns;
		struct user_namespace *userns;
		kuid_t uid;
	} key;
	unsigned int count;
};

static struct cidreg_space cidreg_global = {
	.xa = XARRAY_INIT(cidreg_global.xa, XA_FLAGS_ALLOC | XA_FLAGS_ACCOUNT),
	.node = LIST_HEAD_INIT(cidreg_global.node),
};

/* Local spaces that hold entries, by id. Under cidreg_lock. */
static LIST_HEAD(cidreg_spaces);
static u64 cidreg_space_ids;
static DEFINE_MUTEX(cidreg_lock);
/* Devices holding a registry CID, by device. Under cidreg_lock. */
static DEFINE_HASHTABLE(cidreg_holders, 6);
/* Charges by what they are charged to. Under cidreg_lock. */
static DEFINE_HASHTABLE(cidreg_charges, 6);
/*
 * The holder record of the SET_GUEST_CID in flight, made by its claim for
 * its commit. Under cidreg_lock, which one claim holds until its commit.
 */
static struct cidreg_holder *cidreg_claim_holder;
/* Changes with every change of the table, for dump consistency. */
static unsigned int cidreg_generation;
static unsigned int cidreg_entries;

/**
 * cidreg_label_valid() - whether a label from userspace is acceptable.
 * @label: the buffer.
 * @size: its size.
 *
 * Return: true if @label is NUL-terminated within @size and printable
 * ASCII, so that every log and tool can show it as it is.
 */
bool cidreg_label_valid(const char *label, size_t size)
{
	size_t i;

	for (i = 0; i < size && label[i]; i++)
		if (label[i] < 0x20 || label[i] > 0x7e)
			return false;
	return i < size;
}

/* CIDs that are never reservable: the well-known ones, the host's own
 * guest-to-host CID, and the ones live vhost-vsock devices hold.
 */
static bool cidreg_cid_wellknown(u32 cid)
{
	return cid <= VMADDR_CID_HOST || cid == VMADDR_CID_ANY;
}

static bool cidreg_cid_taken_outside(struct cidreg_space *space, u32 cid)
{
	return cidreg_cid_is_local(cid) || cidreg_vhost_holds(cid, space->net);
}

/**
 * cidreg_space_of() - the space of a netns's reservations.
 * @net: the netns.
 *
 * Return: its own space if it is in vsock's local mode, else the global one.
 */
struct cidreg_space *cidreg_space_of(const struct net *net)
{
	return cidreg_net_local(net) ? &cidreg_net(net)->space : &cidreg_global;
}

/**
 * cidreg_global_space() - the space of the global-mode namespaces.
 *
 * Return: it.
 */
struct cidreg_space *cidreg_global_space(void)
{
	return &cidreg_global;
}

static struct cidreg_entry *cidreg_entry_new(const struct cidreg_request *req)
{
	struct cidreg_entry *e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);

	if (!e)
		return NULL;
	e->kind = req->lease ? VSOCK_CIDREG_KIND_LEASE :
			       VSOCK_CIDREG_KIND_PERSISTENT;
	e->net = req->net;
	e->space = cidreg_space_of(req->net);
	e->lease = req->lease;
	e->creator = get_pid(task_tgid(current));
	e->uid = current_uid();
	e->ctime_ns = ktime_get_real_ns();
	get_task_comm(e->comm, current);
	strscpy(e->label, req->label, sizeof(e->label));
	return e;
}

static void cidreg_holder_free(struct cidreg_holder *h)
{
	hash_del(&h->node);
	put_pid(h->pid);
	kfree(h);
}

static void cidreg_entry_free(struct cidreg_entry *e)
{
	if (e->holder)
		cidreg_holder_free(e->holder);
	put_pid(e->creator);
	kfree_rcu(e, rcu);
}

/* The pod @c is, as a source of events (events.h). */
static unsigned long cidreg_charge_source(const struct cidreg_charge *c)
{
	switch (c->kind) {
	case CIDREG_CHARGE_PIDNS:
		return cidreg_event_source_pidns(c->key.pidns);
	case CIDREG_CHARGE_USERNS:
		return cidreg_event_source_userns(c->key.userns);
	case CIDREG_CHARGE_UID:
		return cidreg_event_source_uid(c->key.uid);
	default:
		return 0;
	}
}

/* Sends an event about @e. Under cidreg_lock. */
static void cidreg_entry_event(const struct cidreg_entry *e, u32 event,
			       u32 reason, const struct net *from,
			       const struct net *to)
{
	struct cidreg_event ev = {
		.event = event,
		.reason = reason,
		.cid = e->cid,
		.kind = e->kind,
		.net = from ?: e->net,
		.to_net = to,
		.netns_ino = (from ?: e->net)->ns.inum,
		.to_netns_ino = to ? to->ns.inum : 0,
		.pid = task_tgid_nr(current),
		.label = e->label,
		.info = e->space != &cidreg_global ? VSOCK_CIDREG_INFO_LOCAL : 0,
	};

	lockdep_assert_held(&cidreg_lock);
	if (e->charge)
		ev.source = cidreg_charge_source(e->charge);
	get_task_comm(ev.comm, current);
	if (e->holder && (event == VSOCK_CIDREG_EVENT_ATTACHED ||
			  event == VSOCK_CIDREG_EVENT_DETACHED))
		ev.pid = pid_nr(e->holder->pid);
	cidreg_event_send(&ev, GFP_KERNEL);
}

/*
 * What the caller's entries for @net are charged to, besides @net itself:
 * something a pod cannot create more of, whatever namespaces it creates
 * and whichever uid it takes.
 *
 * - A caller acting on its own netns, or on one of its own user
 *   namespace's (cidreg_net_own()), from a pid namespace of its own: the
 *   outermost pid namespace below the initial one, the pod's (a process
 *   can leave neither it nor its descendants).
 * - Otherwise (an agent acting for another netns, or a process in the
 *   host's pid namespace), by the owner of @net's user namespace chain:
 *   the outermost user namespace below the initial one; when the global
 *   root created it (a container runtime, one per pod) that namespace
 *   itself, else the uid that created it (an unprivileged host user: one
 *   quota for all the namespaces it creates).
 * - A netns of the initial user namespace, from the host's pid namespace
 *   or by an agent: nothing but @net (only the host can create those).
 */
static void cidreg_charge_of(const struct net *net,
			     struct cidreg_charge *key)
{
	struct pid_namespace *pidns = task_active_pid_ns(current);
	struct user_namespace *userns = net->user_ns;

	if (pidns != &init_pid_ns && cidreg_net_own(net)) {
		while (pidns->parent != &init_pid_ns)
			pidns = pidns->parent;
		key->kind = CIDREG_CHARGE_PIDNS;
		key->key.pidns = pidns;
		return;
	}
	if (userns == &init_user_ns) {
		key->kind = CIDREG_CHARGE_NONE;
		return;
	}
	while (userns->parent != &init_user_ns)
		userns = userns->parent;
	if (uid_eq(userns->owner, GLOBAL_ROOT_UID)) {
		key->kind = CIDREG_CHARGE_USERNS;
		key->key.userns = userns;
	} else {
		key->kind = CIDREG_CHARGE_UID;
		key->key.uid = userns->owner;
	}
}

static unsigned long cidreg_charge_hash(const struct cidreg_charge *key)
{
	return key->kind == CIDREG_CHARGE_UID ? __kuid_val(key->key.uid) :
		(unsigned long)key->key.pidns;
}

/*
 * The charge of @key, or a new one (taking a reference on its namespace),
 * or NULL without memory. Under cidreg_lock.
 */
static struct cidreg_charge *cidreg_charge_get(const struct cidreg_charge *key)
{
	unsigned long hash = cidreg_charge_hash(key);
	struct cidreg_charge *c;

	lockdep_assert_held(&cidreg_lock);
	hash_for_each_possible(cidreg_charges, c, node, hash)
		if (c->kind == key->kind &&
		    cidreg_charge_hash(c) == hash)
			return c;
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return NULL;
	c->kind = key->kind;
	c->key = key->key;
	if (c->kind == CIDREG_CHARGE_PIDNS)
		get_pid_ns(c->key.pidns);
	else if (c->kind == CIDREG_CHARGE_USERNS)
		get_user_ns(c->key.userns);
	hash_add(cidreg_charges, &c->node, hash);
	return c;
}

/* Frees @c if nothing is charged to it. Under cidreg_lock. */
static void cidreg_charge_put(struct cidreg_charge *c)
{
	lockdep_assert_held(&cidreg_lock);
	if (c->count)
		return;
	hash_del(&c->node);
	if (c->kind == CIDREG_CHARGE_PIDNS)
		put_pid_ns(c->key.pidns);
	else if (c->kind == CIDREG_CHARGE_USERNS)
		put_user_ns(c->key.userns);
	kfree(c);
}

/*
 * Takes back one entry of @net from its netns and from @c (what
 * cidreg_charge() set). Under cidreg_lock.
 */
static void cidreg_uncharge(const struct net *net, struct cidreg_charge *c)
{
	lockdep_assert_held(&cidreg_lock);
	cidreg_net(net)->count--;
	if (!c)
		return;
	c->count--;
	cidreg_charge_put(c);
}

/*
 * Charges one more entry of @net, made by the caller, to @net and to what
 * cidreg_charge_of() says, set in @cp (NULL: nothing); each must be below
 * the quota (0: no limit). Returns 0, -EDQUOT or -ENOMEM, charging
 * nothing on failure. Under cidreg_lock.
 */
static int cidreg_charge(const struct net *net, struct cidreg_charge **cp)
{
	unsigned int quota = cidreg_setting_quota();
	struct cidreg_charge key, *c = NULL;

	lockdep_assert_held(&cidreg_lock);
	if (quota && cidreg_net(net)->count >= quota)
		return -EDQUOT;
	cidreg_charge_of(net, &key);
	if (key.kind != CIDREG_CHARGE_NONE) {
		c = cidreg_charge_get(&key);
		if (!c)
			return -ENOMEM;
		if (quota && c->count >= quota)
			return -EDQUOT;		/* count > 0: not freed */
		c->count++;
	}
	cidreg_net(net)->count++;
	*cp = c;
	return 0;
}

/*
 * Links a stored entry @e to its owner and lease. Its event is sent,
 * unless @announce is false: an entry adopted by a claim is told of when
 * the claim commits, and never when it aborts (a failed SET_GUEST_CID
 * changes nothing anyone saw, under the lock the claim holds). Under
 * cidreg_lock.
 */
static void cidreg_entry_link(struct cidreg_entry *e, bool announce)
{
	struct cidreg_net *cn = cidreg_net(e->net);

	lockdep_assert_held(&cidreg_lock);
	list_add_tail(&e->net_node, &cn->entries);
	if (e->space != &cidreg_global && list_empty(&e->space->node)) {
		e->space->id = ++cidreg_space_ids;
		list_add_tail(&e->space->node, &cidreg_spaces);
	}
	if (e->lease)
		list_add_tail(&e->lease_node, &e->lease->leases);
	__module_get(THIS_MODULE);
	cidreg_generation++;
	cidreg_entries++;
	if (announce)
		cidreg_entry_event(e, e->kind == VSOCK_CIDREG_KIND_ADOPTED ?
				   VSOCK_CIDREG_EVENT_ADOPTED :
				   VSOCK_CIDREG_EVENT_RESERVED, 0, NULL, NULL);
}

/*
 * Ends a reservation; @reason: enum vsock_cidreg_reason, or 0 for an entry
 * never announced (cidreg_entry_link()), which ends as silently. Under
 * cidreg_lock.
 */
static void cidreg_entry_remove(struct cidreg_entry *e, u32 reason)
{
	lockdep_assert_held(&cidreg_lock);
	if (reason)
		cidreg_entry_event(e, VSOCK_CIDREG_EVENT_RELEASED, reason,
				   NULL, NULL);
	cidreg_generation++;
	cidreg_entries--;
	xa_erase(&e->space->xa, e->cid);
	if (e->space != &cidreg_global && xa_empty(&e->space->xa))
		list_del_init(&e->space->node);
	list_del(&e->net_node);
	cidreg_uncharge(e->net, e->charge);
	if (e->lease)
		list_del(&e->lease_node);
	cidreg_entry_free(e);
	/* The caller holds another reference: an open file, or the pernet
	 * lock that module unload waits for.
	 */
	module_put(THIS_MODULE);
}

/* Stores @e at @cid. Under cidreg_lock. */
static int cidreg_store_given(struct cidreg_entry *e, u32 cid)
{
	int err;

	lockdep_assert_held(&cidreg_lock);
	if (cidreg_cid_wellknown(cid) || cidreg_cid_is_local(cid))
		return -EINVAL;
	if (cidreg_vhost_holds(cid, e->space->net))
		return -EADDRINUSE;
	e->cid = cid;
	err = xa_insert(&e->space->xa, cid, e, GFP_KERNEL);
	return err == -EBUSY ? -EADDRINUSE : err;
}

/*
 * Finds a free CID in [min, max], the lowest or from a random start, in
 * O(log n) per candidate. Candidates taken outside the registry are held
 * as reserved slots until the search ends, so it never revisits them.
 * Under cidreg_lock.
 */
static int cidreg_store_any(struct cidreg_entry *e, u32 min, u32 max,
			    bool lowest)
{
	u32 next = lowest ? min : min + get_random_u32_below(max - min + 1);
	struct xarray *xa = &e->space->xa;
	u32 *skipped = NULL, cid;
	unsigned int nskipped = 0, room = 0, i;
	int err;

	lockdep_assert_held(&cidreg_lock);
	for (;;) {
		err = xa_alloc_cyclic(xa, &cid, NULL,
				      XA_LIMIT(min, max), &next, GFP_KERNEL);
		if (err < 0) {
			if (err == -EBUSY)
				err = -ENOSPC;
			break;
		}
		if (!cidreg_cid_taken_outside(e->space, cid)) {
			e->cid = cid;
			/* Fills the slot reserved above: cannot fail. */
			xa_store(xa, cid, e, GFP_KERNEL);
			err = 0;
			break;
		}
		if (nskipped == room) {
			u32 *more;

			room = room ? 2 * room : 8;
			more = krealloc_array(skipped, room, sizeof(*skipped),
					      GFP_KERNEL);
			if (!more) {
				xa_release(xa, cid);
				err = -ENOMEM;
				break;
			}
			skipped = more;
		}
		skipped[nskipped++] = cid;
		if (lowest)
			next = min;
	}
	for (i = 0; i < nskipped; i++)
		xa_release(xa, skipped[i]);
	kfree(skipped);
	return err;
}

/**
 * cidreg_reserve() - reserve a CID.
 * @req: what to reserve; the caller checked its permission over @req->net.
 * @cid: the CID reserved, on success.
 *
 * Return: 0, -EINVAL (a CID that is never reservable, or a bad range),
 * -EADDRINUSE, -ENOSPC, -EDQUOT or -ENOMEM.
 */
int cidreg_reserve(const struct cidreg_request *req, u32 *cid)
{
	struct cidreg_entry *e;
	int err;

	if (req->any && (req->min > req->max || cidreg_cid_wellknown(req->min) ||
			 cidreg_cid_wellknown(req->max)))
		return -EINVAL;

	e = cidreg_entry_new(req);
	if (!e)
		return -ENOMEM;

	mutex_lock(&cidreg_lock);
	err = cidreg_charge(req->net, &e->charge);
	if (err)
		goto fail;
	if (req->any)
		err = cidreg_store_any(e, req->min, req->max, req->lowest);
	else
		err = cidreg_store_given(e, req->cid);
	if (err) {
		cidreg_uncharge(req->net, e->charge);
		goto fail;
	}
	cidreg_entry_link(e, true);
	*cid = e->cid;
	mutex_unlock(&cidreg_lock);
	return 0;

fail:
	mutex_unlock(&cidreg_lock);
	put_pid(e->creator);
	kfree(e);
	return err;
}

/**
 * cidreg_release() - end the reservation of one CID.
 * @cid: the CID.
 * @net: the netns whose space (cidreg_space_of()) holds it.
 *
 * Return: 0, -ENOENT if @cid is not reserved, -EPERM if the caller may not
 * act on its owner's netns (cidreg_may_admin()).
 */
int cidreg_release(u32 cid, const struct net *net)
{
	struct cidreg_entry *e;
	int err = 0;

	mutex_lock(&cidreg_lock);
	e = xa_load(&cidreg_space_of(net)->xa, cid);
	if (!e)
		err = -ENOENT;
	else if (e->kind == VSOCK_CIDREG_KIND_ADOPTED)
		err = -EINVAL;
	else if (!cidreg_may_admin(e->net))
		err = -EPERM;
	else
		cidreg_entry_remove(e, VSOCK_CIDREG_REASON_RELEASED);
	mutex_unlock(&cidreg_lock);
	return err;
}

/* The space after @s (dumps take them in this order), or NULL. Under cidreg_lock. */
static struct cidreg_space *cidreg_space_next(struct cidreg_space *s)
{
	lockdep_assert_held(&cidreg_lock);
	if (s == &cidreg_global)
		return list_first_entry_or_null(&cidreg_spaces,
						struct cidreg_space, node);
	return list_is_last(&s->node, &cidreg_spaces) ? NULL :
	       list_next_entry(s, node);
}

/**
 * cidreg_release_all() - end the reservations of a netns, or of all.
 * @net: the netns, or NULL for every netns; the caller checked that it
 *	may.
 *
 * Adopted entries last as long as their device and stay.
 *
 * Return: how many reservations ended.
 */
unsigned int cidreg_release_all(struct net *net)
{
	struct cidreg_entry *e, *tmp;
	unsigned int n = 0;
	unsigned long cid;

	mutex_lock(&cidreg_lock);
	if (net) {
		list_for_each_entry_safe(e, tmp, &cidreg_net(net)->entries,
					 net_node) {
			if (e->kind != VSOCK_CIDREG_KIND_ADOPTED) {
				cidreg_entry_remove(e, VSOCK_CIDREG_REASON_RELEASED);
				n++;
			}
		}
	} else {
		struct cidreg_space *s, *next;

		/* A space leaves the list with its last entry: next first. */
		for (s = &cidreg_global; s; s = next) {
			next = cidreg_space_next(s);
			xa_for_each(&s->xa, cid, e) {
				if (e->kind != VSOCK_CIDREG_KIND_ADOPTED) {
					cidreg_entry_remove(e, VSOCK_CIDREG_REASON_RELEASED);
					n++;
				}
			}
		}
	}
	mutex_unlock(&cidreg_lock);
	return n;
}

/**
 * cidreg_release_file() - end the leases of a file being released.
 * @file: the file.
 */
void cidreg_release_file(struct cidreg_file *file)
{
	struct cidreg_entry *e, *tmp;

	mutex_lock(&cidreg_lock);
	list_for_each_entry_safe(e, tmp, &file->leases, lease_node)
		cidreg_entry_remove(e, VSOCK_CIDREG_REASON_LEASE_CLOSED);
	mutex_unlock(&cidreg_lock);
}

/* Ends every entry of a netns that ends. */
static void cidreg_release_net(struct net *net)
{
	struct cidreg_net *cn = cidreg_net(net);
	struct cidreg_entry *e, *tmp;

	mutex_lock(&cidreg_lock);
	list_for_each_entry_safe(e, tmp, &cn->entries, net_node)
		cidreg_entry_remove(e, VSOCK_CIDREG_REASON_NETNS_EXIT);
	mutex_unlock(&cidreg_lock);
}

/**
 * cidreg_viewer_sees() - whether a viewer sees a netns's entries in full.
 * @viewer: who reads.
 * @net: the netns that owns the entries.
 *
 * Return: true for the viewer's own netns, and for every netns when the
 * viewer is an admin. Others see that a CID is taken, never by whom, and
 * so may not select entries by their owner either.
 */
bool cidreg_viewer_sees(const struct cidreg_viewer *viewer,
			const struct net *net)
{
	return viewer->admin || net_eq(net, viewer->net);
}

/* Describes @e as @viewer sees it. Under cidreg_lock. */
static void cidreg_entry_fill(const struct cidreg_entry *e,
			      const struct cidreg_viewer *viewer,
			      struct vsock_cidreg_entry *out)
{
	bool own = net_eq(e->net, viewer->net);

	lockdep_assert_held(&cidreg_lock);
	out->cid = e->cid;
	if (own)
		out->info |= VSOCK_CIDREG_INFO_OWN;
	if (e->space != &cidreg_global)
		out->info |= VSOCK_CIDREG_INFO_LOCAL;
	if (!cidreg_viewer_sees(viewer, e->net)) {
		out->info |= VSOCK_CIDREG_INFO_HIDDEN;
	} else {
		out->kind = e->kind;
		out->netns_ino = e->net->ns.inum;
		out->ctime_ns = e->ctime_ns;
		out->creator_pid = pid_vnr(e->creator);
		out->creator_uid = from_kuid_munged(current_user_ns(), e->uid);
		memcpy(out->comm, e->comm, sizeof(out->comm));
		memcpy(out->label, e->label, sizeof(out->label));
		if (e->holder)
			out->holder_pid = pid_vnr(e->holder->pid);
	}
	if (e->holder)
		out->info |= VSOCK_CIDREG_INFO_ATTACHED;
}

/**
 * cidreg_query() - describe a reserved CID.
 * @cid: the CID, in the space of @viewer->net.
 * @viewer: who asks; entries of other netns are described only as
 *	reserved unless @viewer->admin.
 * @out: filled in; the caller zeroed it.
 *
 * Return: 0, or -ENOENT if @cid is not reserved.
 */
int cidreg_query(u32 cid, const struct cidreg_viewer *viewer,
		 struct vsock_cidreg_entry *out)
{
	struct cidreg_space *space = cidreg_space_of(viewer->net);
	struct cidreg_entry *e;

	mutex_lock(&cidreg_lock);
	e = xa_load(&space->xa, cid);
	if (e)
		cidreg_entry_fill(e, viewer, out);
	mutex_unlock(&cidreg_lock);
	if (!e)
		return -ENOENT;
	if (cidreg_vhost_holds(cid, space->net))
		out->info |= VSOCK_CIDREG_INFO_ATTACHED;
	return 0;
}

/**
 * cidreg_query_next() - describe the next reserved CID, for dumps: the
 *	global space first, then each local one.
 * @space: the lowest space id to consider; on success, that of the CID
 *	described.
 * @cid: the lowest CID to consider in space @space; on success, the CID
 *	described.
 * @owner: only entries of this netns, or NULL for all.
 * @viewer: who asks, as for cidreg_query().
 * @out: filled in; the caller zeroed it.
 * @generation: set to the table's generation, which changes with every
 *	change of the table.
 *
 * Return: 0, or -ENOENT when there is none.
 */
int cidreg_query_next(u64 *space, u32 *cid, const struct net *owner,
		      const struct cidreg_viewer *viewer,
		      struct vsock_cidreg_entry *out, unsigned int *generation)
{
	struct cidreg_space *s;
	struct cidreg_entry *e;
	unsigned long index;
	int err = -ENOENT;

	mutex_lock(&cidreg_lock);
	*generation = cidreg_generation;
	for (s = &cidreg_global; s; s = cidreg_space_next(s)) {
		if (s->id < *space)
			continue;
		index = s->id == *space ? *cid : 0;
		xa_for_each_start(&s->xa, index, e, index) {
			if (owner && !net_eq(e->net, owner))
				continue;
			cidreg_entry_fill(e, viewer, out);
			*space = s->id;
			*cid = index;
			err = 0;
			goto out;
		}
	}
out:
	mutex_unlock(&cidreg_lock);
	return err;
}

/**
 * cidreg_count() - how many entries the registry holds.
 *
 * Return: the count.
 */
unsigned int cidreg_count(void)
{
	return READ_ONCE(cidreg_entries);
}

/**
 * cidreg_transfer() - give a reserved CID to another netns.
 * @cid: the CID.
 * @where: the netns whose space holds it.
 * @to: the new owner; the caller holds a reference and checked that it
 *	may act on it.
 * @persistent: a lease becomes persistent.
 *
 * Return: 0, -ENOENT, -EPERM (the caller may not act on the current
 * owner), -EINVAL (an adopted entry), -EXDEV (@to is in another space:
 * a local-mode netns, or from one) or -EDQUOT (@to holds its quota).
 */
int cidreg_transfer(u32 cid, const struct net *where, struct net *to,
		    bool persistent)
{
	struct cidreg_charge *charge;
	struct cidreg_entry *e;
	struct net *from;
	int err = 0;

	mutex_lock(&cidreg_lock);
	e = xa_load(&cidreg_space_of(where)->xa, cid);
	if (!e) {
		err = -ENOENT;
		goto out;
	}
	if (e->kind == VSOCK_CIDREG_KIND_ADOPTED) {
		err = -EINVAL;
		goto out;
	}
	if (cidreg_space_of(to) != e->space) {
		err = -EXDEV;
		goto out;
	}
	if (!cidreg_may_admin(e->net)) {
		err = -EPERM;
		goto out;
	}
	from = e->net;
	if (!net_eq(from, to)) {
		/* Moving within one pod's charge needs no room for one more. */
		if (e->charge)
			e->charge->count--;
		err = cidreg_charge(to, &charge);
		if (e->charge)
			e->charge->count++;
		if (err)
			goto out;
		cidreg_uncharge(from, e->charge);
		e->charge = charge;
		list_move_tail(&e->net_node, &cidreg_net(to)->entries);
		WRITE_ONCE(e->net, to);
	}
	if (persistent && e->lease) {
		list_del(&e->lease_node);
		e->lease = NULL;
		WRITE_ONCE(e->kind, VSOCK_CIDREG_KIND_PERSISTENT);
	}
	cidreg_generation++;
	cidreg_entry_event(e, VSOCK_CIDREG_EVENT_TRANSFERRED, 0, from, to);
out:
	mutex_unlock(&cidreg_lock);
	return err;
}

/**
 * cidreg_owner() - who owns a CID; lock-free (RCU).
 * @cid: the CID, in the space of @net.
 * @net: a netns.
 * @owned: set to whether @net owns @cid.
 *
 * Return: whether @cid is reserved.
 */
bool cidreg_owner(u32 cid, const struct net *net, bool *owned)
{
	struct cidreg_entry *e;

	rcu_read_lock();
	e = xa_load(&cidreg_space_of(net)->xa, cid);
	*owned = e && net_eq(READ_ONCE(e->net), net);
	rcu_read_unlock();
	return e;
}

/**
 * cidreg_vhost_claim() - a vhost-vsock device is about to take a CID.
 * @space: the space of the device: the global one, or on 7.0+ that of the
 *	local-mode netns it was opened in.
 * @cid: the CID.
 * @net: who claims it: the caller's netns, or the device's local-mode
 *	netns.
 * @adopt: if @cid is not reserved, reserve it for @net as an adopted
 *	entry, before the device takes it (so no reserver gets it meanwhile),
 *	within @net's quota.
 * @adopted: set to whether it was adopted.
 *
 * Returns with the registry locked: nothing in it changes until the caller
 * either commits (cidreg_vhost_commit(), once vhost has published the CID)
 * or aborts (cidreg_vhost_abort()), which unlock it. So what was decided
 * here still holds when the device takes the CID: no reservation, release
 * or transfer of it can come in between. vhost takes none of the
 * registry's locks meanwhile: it looks the CID up under RCU and then takes
 * its own mutex, which the registry never takes. Whatever the commit needs
 * is allocated here, so that it cannot fail once vhost has the CID.
 *
 * Return: whether @cid is reserved, by @net or another netns, or would be
 * adopted beyond @net's quota, or could not be recorded (no memory).
 */
enum cidreg_claim cidreg_vhost_claim(struct cidreg_space *space, u32 cid,
				     struct net *net, bool adopt,
				     bool *adopted)
	__acquires(&cidreg_lock)
{
	struct cidreg_request req = { .net = net, .label = "" };
	struct cidreg_holder *h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	struct cidreg_entry *e, *new = NULL;
	enum cidreg_claim claim;
	int err;

	*adopted = false;
	if (adopt)
		new = cidreg_entry_new(&req);

	mutex_lock(&cidreg_lock);
	__acquire(&cidreg_lock);	/* for sparse: held until commit or abort */
	e = xa_load(&space->xa, cid);
	if (!h) {
		claim = CIDREG_CLAIM_NOMEM;
	} else if (e) {
		claim = net_eq(e->net, net) ? CIDREG_CLAIM_OWNED :
					      CIDREG_CLAIM_FOREIGN;
	} else if (!adopt) {
		claim = CIDREG_CLAIM_UNRESERVED;
	} else {
		claim = CIDREG_CLAIM_UNRESERVED;
		err = new ? cidreg_charge(net, &new->charge) : -ENOMEM;
		if (!err) {
			new->cid = cid;
			new->kind = VSOCK_CIDREG_KIND_ADOPTED;
			new->space = space;
			err = xa_insert(&space->xa, cid, new, GFP_KERNEL);
			if (err)
				cidreg_uncharge(net, new->charge);
		}
		if (!err) {
			cidreg_entry_link(new, false);
			*adopted = true;
			new = NULL;
		} else {
			claim = err == -EDQUOT ? CIDREG_CLAIM_OVER_QUOTA :
						 CIDREG_CLAIM_NOMEM;
		}
	}
	/* For the commit, under the lock held until then. */
	cidreg_claim_holder = h;
	if (new) {
		put_pid(new->creator);
		kfree(new);
	}
	return claim;
}

/* The holder record of @dev, or NULL. Under cidreg_lock. */
static struct cidreg_holder *cidreg_holder_find(const void *dev)
{
	struct cidreg_holder *h;

	lockdep_assert_held(&cidreg_lock);
	hash_for_each_possible(cidreg_holders, h, node, (unsigned long)dev)
		if (h->dev == dev)
			return h;
	return NULL;
}

/* The device of @h lets its CID go. Under cidreg_lock. */
static void cidreg_holder_detach(struct cidreg_holder *h)
{
	struct cidreg_entry *e = xa_load(&h->space->xa, h->cid);

	lockdep_assert_held(&cidreg_lock);
	if (WARN_ON_ONCE(!e || e->holder != h))
		return;
	if (e->kind == VSOCK_CIDREG_KIND_ADOPTED) {
		cidreg_entry_remove(e, VSOCK_CIDREG_REASON_DEVICE_CLOSED);
	} else {
		cidreg_entry_event(e, VSOCK_CIDREG_EVENT_DETACHED, 0, NULL, NULL);
		e->holder = NULL;
		cidreg_holder_free(h);
		cidreg_generation++;
	}
}

/**
 * cidreg_vhost_commit() - a vhost-vsock device took the CID it claimed.
 * @dev: the device.
 * @space: its space, as claimed.
 * @cid: the CID it now holds.
 * @adopted: cidreg_vhost_claim() adopted it: its event is sent now.
 *
 * The CID it held before, if any, is let go: an adopted entry of it ends.
 * If @cid is in the registry, the entry records the device and the caller.
 * Unlocks the registry that cidreg_vhost_claim() locked.
 */
void cidreg_vhost_commit(const void *dev, struct cidreg_space *space, u32 cid,
			 bool adopted)
	__releases(&cidreg_lock)
{
	struct cidreg_holder *h = cidreg_claim_holder;
	struct cidreg_holder *old;
	struct cidreg_entry *e;

	lockdep_assert_held(&cidreg_lock);
	cidreg_claim_holder = NULL;
	old = cidreg_holder_find(dev);
	if (old && (old->cid != cid || old->space != space))
		cidreg_holder_detach(old);
	else if (old)
		goto out;	/* the same CID again */
	e = xa_load(&space->xa, cid);
	if (e && adopted)
		cidreg_entry_event(e, VSOCK_CIDREG_EVENT_ADOPTED, 0, NULL, NULL);
	if (e && h) {
		if (e->holder)	/* a device that is going */
			cidreg_holder_free(e->holder);
		h->dev = dev;
		h->space = space;
		h->cid = cid;
		h->pid = get_pid(task_tgid(current));
		hash_add(cidreg_holders, &h->node, (unsigned long)dev);
		e->holder = h;
		h = NULL;
		cidreg_generation++;
		cidreg_entry_event(e, VSOCK_CIDREG_EVENT_ATTACHED, 0, NULL, NULL);
	}
out:
	__release(&cidreg_lock);
	mutex_unlock(&cidreg_lock);
	kfree(h);
}

/**
 * cidreg_vhost_abort() - a vhost-vsock device did not take the CID it
 *	claimed: end the entry cidreg_vhost_claim() adopted for it, if any,
 *	without an event (none was sent for it).
 * @space: its space, as claimed.
 * @cid: the CID.
 * @adopted: cidreg_vhost_claim() adopted it.
 *
 * Unlocks the registry that cidreg_vhost_claim() locked.
 */
void cidreg_vhost_abort(struct cidreg_space *space, u32 cid, bool adopted)
	__releases(&cidreg_lock)
{
	struct cidreg_entry *e;

	lockdep_assert_held(&cidreg_lock);
	kfree(cidreg_claim_holder);
	cidreg_claim_holder = NULL;
	if (adopted) {
		/* The registry stayed locked: it is the entry claimed. */
		e = xa_load(&space->xa, cid);
		if (!WARN_ON_ONCE(!e || e->kind != VSOCK_CIDREG_KIND_ADOPTED ||
				  e->holder))
			cidreg_entry_remove(e, 0);
	}
	__release(&cidreg_lock);
	mutex_unlock(&cidreg_lock);
}

/**
 * cidreg_vhost_moved() - a vhost-vsock device took a CID unchecked (mode
 *	off): the one it held before, if another, is let go (an adopted entry
 *	ends, a reservation loses its holder), as if the device had closed.
 * @dev: the device.
 * @space: its space.
 * @cid: the CID it now holds, which the registry does not record.
 */
void cidreg_vhost_moved(const void *dev, struct cidreg_space *space, u32 cid)
{
	struct cidreg_holder *h;

	mutex_lock(&cidreg_lock);
	h = cidreg_holder_find(dev);
	if (h && (h->cid != cid || h->space != space))
		cidreg_holder_detach(h);
	mutex_unlock(&cidreg_lock);
}

/**
 * cidreg_vhost_detach() - a vhost-vsock device is being released.
 * @dev: the device.
 */
void cidreg_vhost_detach(const void *dev)
{
	struct cidreg_holder *h;

	mutex_lock(&cidreg_lock);
	h = cidreg_holder_find(dev);
	if (h)
		cidreg_holder_detach(h);
	mutex_unlock(&cidreg_lock);
}

/* A netns that ends frees its CIDs: the pod is gone. */
static void __net_exit cidreg_registry_net_exit(struct net *net)
{
	struct cidreg_net *cn = cidreg_net(net);

	cidreg_release_net(net);
	WARN_ON_ONCE(!xa_empty(&cn->space.xa));
	xa_destroy(&cn->space.xa);
}

/* Registered after netns.c's: runs before the state it uses is freed. */
static struct pernet_operations cidreg_registry_net_ops = {
	.exit = cidreg_registry_net_exit,
};

/**
 * cidreg_registry_init() - start ending the entries of namespaces that end.
 *
 * Return: 0 or a negative errno.
 */
int cidreg_registry_init(void)
{
	return register_pernet_subsys(&cidreg_registry_net_ops);
}

/**
 * cidreg_registry_exit() - free the registry at module unload.
 *
 * Every entry holds a module reference, so none is left by now.
 */
void cidreg_registry_exit(void)
{
	unregister_pernet_subsys(&cidreg_registry_net_ops);
	WARN_ON_ONCE(!xa_empty(&cidreg_global.xa));
	WARN_ON_ONCE(!list_empty(&cidreg_spaces));
	WARN_ON_ONCE(!hash_empty(cidreg_holders));
	xa_destroy(&cidreg_global.xa);
}
