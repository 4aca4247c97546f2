// SPDX-License-Identifier: GPL-2.0
/*
 * Events: what the registry and the hooks report, as messages of the
 * "events" multicast group of the generic netlink family, and as kernel
 * log lines for refusals.
 *
 * Visibility, as for queries (registry.c): a listener in any netns gets
 * the events about its own netns (cidreg_event.net, .to_net), in either
 * group; "events" adds every other event in the namespaces the initial
 * user namespace owns, where joining it took CAP_NET_ADMIN there
 * (CAP_SYS_ADMIN on kernels that cannot ask for less: compat.h), which is
 * what a full view of queries takes. In a netns of another user
 * namespace, a capability there proves nothing about the initial one, so
 * "events" gives no more than "netns-events". Kernels before 6.9 cannot
 * filter a multicast per socket, hence two groups rather than one. Where
 * a listener sees only its own netns, an event says no more than its
 * queries would: of a transfer, the side that gave the CID learns neither
 * the netns it went to nor its label, the side that got it not where it
 * came from (enum cidreg_event_view). A full view is sent only to the
 * netns where one may listen (netns.c: the initial one, and those where
 * someone with CAP_NET_ADMIN in the initial user namespace asked the
 * family something or joined its events), not to every netns: the kernel
 * cannot say which netns have listeners, and the thousands of pods' that
 * have none would each cost a multicast.
 * Nothing is built when nobody who may see an event listens.
 *
 * Every event is rate-limited per source, something a pod cannot create
 * more of (cidreg_event_source()): its outermost pid namespace, else the
 * uid of the initial user namespace; the host's root is not limited. A
 * kernel thread acts for someone else: what it does to an entry (a netns
 * going) counts against the pod the entry is charged to, a refusal of a
 * guest's connection (vhost's thread, before 6.4) against the refused
 * netns; anything else is the host's. A source sends at most CIDREG_EVENT_BURST events a second,
 * so that a flooding pod loses its own events, not others'; the next one
 * it sends says how many were dropped (VSOCK_CIDREG_A_DROPPED), and
 * cidreg_events_dropped() counts them all. Sources are kept in a fixed
 * table (CIDREG_RATES), each in one of two places its hash picks with a
 * random seed, taking over a place idle for CIDREG_RATE_IDLE: two busy
 * sources share a limit only when both places of one are busy with
 * others. A place holds a reference to the pid or user namespace it keeps
 * the limit of, until another source takes it over or the module goes: a
 * pod made later at the same address must not inherit a spent limit and
 * the count of what it dropped (a netns is kept by a cookie instead,
 * which is never reused: holding a netns would keep it from ending).
 * Refusals are logged at most at printk's rate limit; the counters of the
 * hooks count every one.
 *
 * Pids are the initial pid namespace's, sent only to a full view (whose
 * listener may see every netns); a listener that sees its own netns
 * alone is in a pid namespace the module cannot know, and gets none.
 *
 * No event is built or sent where it happens (under the registry's lock,
 * in a hook's atomic context): cidreg_event_send() copies it into a queue
 * (at most CIDREG_EVENT_QUEUE events; beyond, they are dropped and
 * counted as above) and a work item builds and sends them, in order, so
 * what the sending costs is never the event's maker's.
 *
 * The family is netlink.c's: it hands it over once registered
 * (cidreg_events_start()) and takes it back before unregistering it, when
 * nothing that sends events (hooks, devices, entries) is left; the queue
 * is emptied then.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/nsproxy.h>
#include <linux/overflow.h>
#include <linux/pid_namespace.h>
#include <linux/preempt.h>
#include <linux/random.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/vsock_cidreg.h>
#include <net/net_namespace.h>
#include <vsock_cidreg_names.h>

#include "compat.h"
#include "events.h"
#include "netns.h"

const struct genl_multicast_group cidreg_event_groups[CIDREG_EVENT_NGROUPS] = {
	[CIDREG_GROUP_EVENTS] = { .name = VSOCK_CIDREG_MCGRP_EVENTS,
				  CIDREG_MCGRP_NET_ADMIN },
	[CIDREG_GROUP_NETNS_EVENTS] = { .name = VSOCK_CIDREG_MCGRP_NETNS_EVENTS },
};

static const char * const cidreg_op_names[] = VSOCK_CIDREG_OP_NAMES;
static const char * const cidreg_rule_names[] = VSOCK_CIDREG_RULE_NAMES;

static const struct genl_family *cidreg_events_family;
static atomic64_t cidreg_dropped = ATOMIC64_INIT(0);

/* Events queued at most: beyond, they are dropped. */
#define CIDREG_EVENT_QUEUE 4096

/**
 * struct cidreg_event_item - a queued event, with what it points to.
 * @node: in cidreg_event_queue.
 * @ev: the event; its nets hold a reference (NULL for a netns that was
 *	going away, whose listeners are gone), its label and settings point
 *	into this item.
 * @label: the label's copy.
 * @config: the settings' copy.
 * @ports: their protected ports.
 */
struct cidreg_event_item {
	struct list_head node;
	struct cidreg_event ev;
	char label[VSOCK_CIDREG_LABEL_MAX];
	struct cidreg_event_config config;
	u32 ports[];
};

static LIST_HEAD(cidreg_event_queue);
static unsigned int cidreg_event_queued;
static DEFINE_SPINLOCK(cidreg_event_lock);
static void cidreg_event_work_fn(struct work_struct *work);
static DECLARE_WORK(cidreg_event_work, cidreg_event_work_fn);

/* Events a second of one source, at most. */
#define CIDREG_EVENT_BURST 20
/*
 * The places of sources' limits, and how long one idles before another
 * source may take it over.
 */
#define CIDREG_RATE_BITS 9
#define CIDREG_RATES BIT(CIDREG_RATE_BITS)
#define CIDREG_RATE_IDLE (2 * HZ)

/**
 * struct cidreg_rate - the rate limit of one source of events.
 * @source: the source (cidreg_event_source()), or 0: free.
 * @used: when it was last used, in jiffies.
 * @rs: the limit.
 * @dropped: events of @source dropped since the last one sent.
 */
struct cidreg_rate {
	unsigned long source;
	unsigned long used;
	struct ratelimit_state rs;
	atomic64_t dropped;
};

static struct cidreg_rate cidreg_rates[CIDREG_RATES];
static unsigned long cidreg_rate_seed[2];
/* Events of the host that the full queue dropped. */
static atomic64_t cidreg_host_dropped = ATOMIC64_INIT(0);

/**
 * cidreg_events_start() - start sending events.
 * @family: the registered family, whose groups are cidreg_event_groups.
 */
void cidreg_events_start(const struct genl_family *family)
{
	struct cidreg_rate *r;

	for (r = cidreg_rates; r < cidreg_rates + CIDREG_RATES; r++) {
		r->source = 0;
		ratelimit_state_init(&r->rs, HZ, CIDREG_EVENT_BURST);
		/* No "callbacks suppressed" lines: the counters tell. */
		ratelimit_set_flags(&r->rs, RATELIMIT_MSG_ON_RELEASE);
		atomic64_set(&r->dropped, 0);
	}
	cidreg_rate_seed[0] = get_random_long();
	cidreg_rate_seed[1] = get_random_long();
	WRITE_ONCE(cidreg_events_family, family);
}

/**
 * cidreg_events_dropped() - how many denial events the rate limit dropped.
 *
 * Return: the count since the module loaded.
 */
u64 cidreg_events_dropped(void)
{
	return atomic64_read(&cidreg_dropped);
}

/* Holds what @source names while a place keeps its limit. */
static void cidreg_source_get(unsigned long source)
{
	void *p = (void *)(source & ~CIDREG_SOURCE_KIND);

	switch (source & CIDREG_SOURCE_KIND) {
	case CIDREG_SOURCE_PIDNS:
		get_pid_ns(p);
		break;
	case CIDREG_SOURCE_USERNS:
		get_user_ns(p);
		break;
	}
}

/* Lets go of what cidreg_source_get() held; 0 (a free place) holds none. */
static void cidreg_source_put(unsigned long source)
{
	void *p = (void *)(source & ~CIDREG_SOURCE_KIND);

	if (!p)
		return;
	switch (source & CIDREG_SOURCE_KIND) {
	case CIDREG_SOURCE_PIDNS:
		put_pid_ns(p);
		break;
	case CIDREG_SOURCE_USERNS:
		put_user_ns(p);
		break;
	}
}

static void cidreg_event_item_free(struct cidreg_event_item *it)
{
	if (it->ev.net)
		put_net((struct net *)it->ev.net);
	if (it->ev.to_net)
		put_net((struct net *)it->ev.to_net);
	kfree(it);
}

/**
 * cidreg_events_stop() - stop sending events, before @family goes: what
 *	is queued is dropped.
 */
void cidreg_events_stop(void)
{
	struct cidreg_event_item *it, *tmp;
	struct cidreg_rate *r;
	unsigned long flags;
	LIST_HEAD(left);

	WRITE_ONCE(cidreg_events_family, NULL);
	cancel_work_sync(&cidreg_event_work);
	spin_lock_irqsave(&cidreg_event_lock, flags);
	list_splice_init(&cidreg_event_queue, &left);
	cidreg_event_queued = 0;
	spin_unlock_irqrestore(&cidreg_event_lock, flags);
	list_for_each_entry_safe(it, tmp, &left, node)
		cidreg_event_item_free(it);
	for (r = cidreg_rates; r < cidreg_rates + CIDREG_RATES; r++)
		cidreg_source_put(xchg(&r->source, 0));
}

/*
 * What a listener may see of an event: all of it (a full view, which alone
 * gets the pid), all but the pid (the netns the event is about, not a
 * transfer between two), or, of a transfer, that of the netns @ev->net
 * (the side that gave the CID) or @ev->to_net (the side that got it).
 */
enum cidreg_event_view {
	CIDREG_VIEW_ALL,
	CIDREG_VIEW_OWN,
	CIDREG_VIEW_FROM,
	CIDREG_VIEW_TO,
	CIDREG_VIEWS
};

static int cidreg_event_fill(struct sk_buff *msg, const struct cidreg_event *ev,
			     enum cidreg_event_view view)
{
	bool from = view != CIDREG_VIEW_TO, to = view != CIDREG_VIEW_FROM;

	if (nla_put_u32(msg, VSOCK_CIDREG_A_EVENT, ev->event) ||
	    nla_put_u32(msg, VSOCK_CIDREG_A_CID, ev->cid) ||
	    (from && nla_put_u64_64bit(msg, VSOCK_CIDREG_A_NETNS_INO,
				       ev->netns_ino, VSOCK_CIDREG_A_PAD)) ||
	    (view == CIDREG_VIEW_ALL &&
	     nla_put_u32(msg, VSOCK_CIDREG_A_PID, ev->pid)) ||
	    nla_put_string(msg, VSOCK_CIDREG_A_COMM, ev->comm))
		return -EMSGSIZE;
	/* The label is the owner's: after a transfer, @to_net's. */
	if ((ev->reason && nla_put_u32(msg, VSOCK_CIDREG_A_REASON, ev->reason)) ||
	    (ev->kind && nla_put_u32(msg, VSOCK_CIDREG_A_KIND, ev->kind)) ||
	    (ev->info && nla_put_u32(msg, VSOCK_CIDREG_A_INFO, ev->info)) ||
	    (ev->label && (to || !ev->to_net) &&
	     nla_put_string(msg, VSOCK_CIDREG_A_LABEL, ev->label)) ||
	    (ev->to_netns_ino && to &&
	     nla_put_u64_64bit(msg, VSOCK_CIDREG_A_TO_NETNS_INO,
			       ev->to_netns_ino, VSOCK_CIDREG_A_PAD)) ||
	    (ev->dropped && nla_put_u64_64bit(msg, VSOCK_CIDREG_A_DROPPED,
					      ev->dropped, VSOCK_CIDREG_A_PAD)))
		return -EMSGSIZE;
	if (ev->event == VSOCK_CIDREG_EVENT_DENIED &&
	    (nla_put_u32(msg, VSOCK_CIDREG_A_OP, ev->op) ||
	     nla_put_u32(msg, VSOCK_CIDREG_A_PORT, ev->port) ||
	     nla_put_u32(msg, VSOCK_CIDREG_A_MODE, ev->mode) ||
	     nla_put_u32(msg, VSOCK_CIDREG_A_RULE, ev->rule)))
		return -EMSGSIZE;
	if (ev->config &&
	    (nla_put_u32(msg, VSOCK_CIDREG_A_MODE, ev->mode) ||
	     nla_put_u8(msg, VSOCK_CIDREG_A_STRICT, ev->config->strict) ||
	     nla_put_u32(msg, VSOCK_CIDREG_A_CID_MIN, ev->config->cid_min) ||
	     nla_put_u32(msg, VSOCK_CIDREG_A_CID_MAX, ev->config->cid_max) ||
	     nla_put_u32(msg, VSOCK_CIDREG_A_QUOTA, ev->config->quota) ||
	     nla_put(msg, VSOCK_CIDREG_A_PROTECTED_PORTS,
		     ev->config->nports * sizeof(u32), ev->config->ports)))
		return -EMSGSIZE;
	return 0;
}

/*
 * What listeners of @group in @net see of @ev: CIDREG_VIEWS for nothing.
 * Under RCU.
 */
static enum cidreg_event_view cidreg_event_view(const struct cidreg_event *ev,
						const struct net *net, int group)
{
	/* Joining took CAP_NET_ADMIN over net->user_ns. */
	if (group == CIDREG_GROUP_EVENTS && net->user_ns == &init_user_ns)
		return CIDREG_VIEW_ALL;
	if (!ev->to_net || net_eq(ev->net, ev->to_net))
		return net_eq(net, ev->net) ? CIDREG_VIEW_OWN : CIDREG_VIEWS;
	if (net_eq(net, ev->net))
		return CIDREG_VIEW_FROM;
	return net_eq(net, ev->to_net) ? CIDREG_VIEW_TO : CIDREG_VIEWS;
}

struct cidreg_event_out {
	const struct genl_family *family;
	const struct cidreg_event *ev;
	struct sk_buff **msgs;
};

/* Sends to each group of @net what its listeners see of the event. */
static void cidreg_event_to_net(struct net *net, void *arg)
{
	const struct cidreg_event_out *out = arg;
	enum cidreg_event_view view;
	struct sk_buff *skb;
	int group;

	for (group = 0; group < CIDREG_EVENT_NGROUPS; group++) {
		view = cidreg_event_view(out->ev, net, group);
		if (view == CIDREG_VIEWS || !out->msgs[view] ||
		    !genl_has_listeners(out->family, net, group))
			continue;
		skb = skb_clone(out->msgs[view], GFP_ATOMIC);
		if (skb)
			genlmsg_multicast_netns(out->family, net, skb, 0, group,
						GFP_ATOMIC);
	}
}

/* A full view's netns (netns.c), but for those the event is about. */
static void cidreg_event_to_listened(struct net *net, void *arg)
{
	const struct cidreg_event_out *out = arg;

	if (!net_eq(net, out->ev->net) && !net_eq(net, out->ev->to_net))
		cidreg_event_to_net(net, arg);
}

/*
 * Builds @ev once per view it may need and sends it: to the netns it is
 * about (@ev->net, @ev->to_net), and to those where a full view may
 * listen. In the work item.
 */
static void cidreg_event_deliver(const struct genl_family *family,
				 const struct cidreg_event *ev)
{
	bool transfer = ev->to_net && !net_eq(ev->net, ev->to_net);
	struct sk_buff *msgs[CIDREG_VIEWS] = {};
	struct cidreg_event_out out = { family, ev, msgs };
	enum cidreg_event_view view;
	void *hdr;

	for (view = 0; view < CIDREG_VIEWS; view++) {
		bool side = view == CIDREG_VIEW_FROM || view == CIDREG_VIEW_TO;

		if (view != CIDREG_VIEW_ALL && side != transfer)
			continue;
		msgs[view] = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
		if (!msgs[view])
			continue;
		hdr = genlmsg_put(msgs[view], 0, 0, family, 0,
				  VSOCK_CIDREG_CMD_EVENT);
		if (!hdr || cidreg_event_fill(msgs[view], ev, view)) {
			nlmsg_free(msgs[view]);
			msgs[view] = NULL;
			continue;
		}
		genlmsg_end(msgs[view], hdr);
	}
	/* The item holds a reference on each of its nets. */
	if (ev->net)
		cidreg_event_to_net((struct net *)ev->net, &out);
	if (transfer && ev->to_net)
		cidreg_event_to_net((struct net *)ev->to_net, &out);
	cidreg_nets_listened(cidreg_event_to_listened, &out);
	for (view = 0; view < CIDREG_VIEWS; view++)
		nlmsg_free(msgs[view]);
}

/* Sends the queued events, oldest first. */
static void cidreg_event_work_fn(struct work_struct *work)
{
	const struct genl_family *family;
	struct cidreg_event_item *it;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&cidreg_event_lock, flags);
		it = list_first_entry_or_null(&cidreg_event_queue,
					      struct cidreg_event_item, node);
		if (it) {
			list_del(&it->node);
			cidreg_event_queued--;
		}
		spin_unlock_irqrestore(&cidreg_event_lock, flags);
		if (!it)
			return;
		family = READ_ONCE(cidreg_events_family);
		if (family)
			cidreg_event_deliver(family, &it->ev);
		cidreg_event_item_free(it);
		cond_resched();
	}
}

/* Whether anyone, in any netns, listens to a group of @family. */
static bool cidreg_event_listened(const struct genl_family *family)
{
	int group;

	/* The listeners' map is the protocol's, for every netns. */
	for (group = 0; group < CIDREG_EVENT_NGROUPS; group++)
		if (genl_has_listeners(family, &init_net, group))
			return true;
	return false;
}

/* A netns as a source of events (events.h): by its cookie. */
static unsigned long cidreg_event_source_net(const struct net *net)
{
	return (unsigned long)cidreg_net(net)->cookie << 2 | CIDREG_SOURCE_NET;
}

/*
 * Who causes @ev, for the rate limit: something a pod cannot create more
 * of, whatever namespaces it creates and whichever uid it takes. The
 * outermost pid namespace below the initial one of the process that acted
 * (a pod's: a process can leave neither it nor its descendants); in the
 * initial pid namespace, the host (its root) or else the uid in the
 * initial user namespace. A kernel thread, or an interrupt, acts for
 * @ev->source (the pod an entry is charged to; for a refusal, its netns:
 * a guest's connection that vhost's thread carries), else for the host.
 */
static unsigned long cidreg_event_source(const struct cidreg_event *ev)
{
	struct pid_namespace *pidns;

	if (!in_task() || (current->flags & PF_KTHREAD))
		return ev->source ?: CIDREG_SOURCE_HOST;
	pidns = task_active_pid_ns(current);
	if (pidns && pidns != &init_pid_ns) {
		while (pidns->parent != &init_pid_ns)
			pidns = pidns->parent;
		return cidreg_event_source_pidns(pidns);
	}
	if (uid_eq(current_euid(), GLOBAL_ROOT_UID))
		return CIDREG_SOURCE_HOST;
	return cidreg_event_source_uid(current_euid());
}

/*
 * The rate limit of @source: the one of its two places that holds it, or
 * one idle for CIDREG_RATE_IDLE that it takes over; when both are busy
 * with others, it shares the first. The caller holds @source's namespace.
 */
static struct cidreg_rate *cidreg_rate(unsigned long source)
{
	unsigned long old, now = jiffies;
	struct cidreg_rate *r[2];
	int i;

	for (i = 0; i < 2; i++) {
		r[i] = &cidreg_rates[hash_long(source ^ cidreg_rate_seed[i],
					       CIDREG_RATE_BITS)];
		if (READ_ONCE(r[i]->source) == source)
			goto found;
	}
	for (i = 0; i < 2; i++) {
		old = READ_ONCE(r[i]->source);
		if (old && time_before(now, READ_ONCE(r[i]->used) +
					    CIDREG_RATE_IDLE))
			continue;
		cidreg_source_get(source);
		if (cmpxchg(&r[i]->source, old, source) == old) {
			cidreg_source_put(old);
			atomic64_set(&r[i]->dropped, 0);
			goto found;
		}
		cidreg_source_put(source);
	}
	i = 0;
found:
	WRITE_ONCE(r[i]->used, now);
	return r[i];
}

/**
 * cidreg_event_send() - send an event to the listeners who see it, soon
 *	(in order, from a work item), unless its source is over its rate.
 * @ev: the event; what it points to is copied.
 * @gfp: how to allocate the copy.
 *
 * Atomic context allowed with GFP_ATOMIC.
 */
void cidreg_event_send(const struct cidreg_event *ev, gfp_t gfp)
{
	const struct genl_family *family = READ_ONCE(cidreg_events_family);
	unsigned int nports = ev->config ? ev->config->nports : 0;
	unsigned long source = cidreg_event_source(ev), flags;
	atomic64_t *dropped = &cidreg_host_dropped;
	struct cidreg_event_item *it;
	struct cidreg_rate *r;
	bool full;

	if (!family || !cidreg_event_listened(family))
		return;
	if (source != CIDREG_SOURCE_HOST) {
		r = cidreg_rate(source);
		dropped = &r->dropped;
		if (!__ratelimit(&r->rs))
			goto drop;
	}
	it = kmalloc(struct_size(it, ports, nports), gfp);
	if (!it)
		goto drop;
	it->ev = *ev;
	it->ev.dropped = atomic64_xchg(dropped, 0);
	it->ev.net = ev->net ? maybe_get_net((struct net *)ev->net) : NULL;
	it->ev.to_net = ev->to_net ?
			maybe_get_net((struct net *)ev->to_net) : NULL;
	if (ev->label) {
		strscpy(it->label, ev->label, sizeof(it->label));
		it->ev.label = it->label;
	}
	if (ev->config) {
		it->config = *ev->config;
		memcpy(it->ports, ev->config->ports, nports * sizeof(u32));
		it->config.ports = it->ports;
		it->ev.config = &it->config;
	}
	spin_lock_irqsave(&cidreg_event_lock, flags);
	full = cidreg_event_queued >= CIDREG_EVENT_QUEUE;
	if (!full) {
		list_add_tail(&it->node, &cidreg_event_queue);
		cidreg_event_queued++;
	}
	spin_unlock_irqrestore(&cidreg_event_lock, flags);
	if (!full) {
		queue_work(system_unbound_wq, &cidreg_event_work);
		return;
	}
	atomic64_add(it->ev.dropped, dropped);
	cidreg_event_item_free(it);
drop:
	atomic64_inc(dropped);
	atomic64_inc(&cidreg_dropped);
}

/**
 * cidreg_event_denied() - report an operation the hooks refused, or would
 *	have refused, in the caller's context.
 * @op: enum vsock_cidreg_op.
 * @rule: enum vsock_cidreg_rule: what refused it.
 * @mode: VSOCK_CIDREG_MODE_ENFORCE (refused) or _AUDIT (would have been).
 * @net: the netns of the operation.
 * @cid: the CID.
 * @port: the port, or 0.
 *
 * Atomic context allowed.
 */
void cidreg_event_denied(u32 op, u32 rule, u32 mode, const struct net *net,
			 u32 cid, u32 port)
{
	bool audit = mode == VSOCK_CIDREG_MODE_AUDIT;
	struct cidreg_event ev = {
		.event = VSOCK_CIDREG_EVENT_DENIED,
		.cid = cid,
		.op = op,
		.port = port,
		.mode = mode,
		.rule = rule,
		.net = net,
		.netns_ino = net->ns.inum,
		.pid = task_tgid_nr(current),
		.source = cidreg_event_source_net(net),
		.info = cidreg_net_local(net) ? VSOCK_CIDREG_INFO_LOCAL : 0,
	};

	get_task_comm(ev.comm, current);
	cidreg_event_send(&ev, GFP_ATOMIC);
	pr_notice_ratelimited("%s %s (%s): pid %d comm %*pE netns %u cid %u port %u\n",
			      audit ? "audit: would deny" : "denied",
			      cidreg_op_names[op], cidreg_rule_names[rule],
			      ev.pid, cidreg_comm_len(ev.comm), ev.comm, net->ns.inum,
			      cid, port);
}
