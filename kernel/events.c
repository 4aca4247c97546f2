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
 * came from (enum cidreg_event_view).
 * Nothing is built when nobody who may see an event listens.
 *
 * Refusals, which a pod can cause at will, are sent at most
 * CIDREG_DENIED_BURST a second per netns, so that a flooding pod loses
 * its own events, not others'; the next one it sends says how many were
 * dropped, and cidreg_events_dropped() counts them all. They are logged
 * at most at printk's rate limit; the counters of the hooks count every
 * one.
 *
 * The family is netlink.c's: it hands it over once registered
 * (cidreg_events_start()) and takes it back before unregistering it, when
 * nothing that sends events (hooks, devices, entries) is left.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/nsproxy.h>
#include <linux/ratelimit.h>
#include <linux/vsock_cidreg.h>
#include <net/net_namespace.h>
#include <vsock_cidreg_names.h>

#include "compat.h"
#include "events.h"
#include "netns.h"

enum { CIDREG_GROUP_EVENTS, CIDREG_GROUP_NETNS_EVENTS };

const struct genl_multicast_group cidreg_event_groups[CIDREG_EVENT_NGROUPS] = {
	[CIDREG_GROUP_EVENTS] = { .name = VSOCK_CIDREG_MCGRP_EVENTS,
				  CIDREG_MCGRP_NET_ADMIN },
	[CIDREG_GROUP_NETNS_EVENTS] = { .name = VSOCK_CIDREG_MCGRP_NETNS_EVENTS },
};

static const char * const cidreg_op_names[] = VSOCK_CIDREG_OP_NAMES;
static const char * const cidreg_rule_names[] = VSOCK_CIDREG_RULE_NAMES;

static const struct genl_family *cidreg_events_family;
static atomic64_t cidreg_dropped = ATOMIC64_INIT(0);

/**
 * cidreg_events_start() - start sending events.
 * @family: the registered family, whose groups are cidreg_event_groups.
 */
void cidreg_events_start(const struct genl_family *family)
{
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

/**
 * cidreg_events_stop() - stop sending events, before @family goes.
 */
void cidreg_events_stop(void)
{
	WRITE_ONCE(cidreg_events_family, NULL);
}

/*
 * What a listener may see of an event: all of it, or, seeing only its own
 * netns, that of the netns @ev->net (for a transfer: the side that gave
 * the CID) or @ev->to_net (the side that got it).
 */
enum cidreg_event_view {
	CIDREG_VIEW_ALL,
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
	    nla_put_u32(msg, VSOCK_CIDREG_A_PID, ev->pid) ||
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
			       ev->to_netns_ino, VSOCK_CIDREG_A_PAD)))
		return -EMSGSIZE;
	if (ev->event == VSOCK_CIDREG_EVENT_DENIED &&
	    (nla_put_u32(msg, VSOCK_CIDREG_A_OP, ev->op) ||
	     nla_put_u32(msg, VSOCK_CIDREG_A_PORT, ev->port) ||
	     nla_put_u32(msg, VSOCK_CIDREG_A_MODE, ev->mode) ||
	     nla_put_u32(msg, VSOCK_CIDREG_A_RULE, ev->rule) ||
	     (ev->dropped && nla_put_u64_64bit(msg, VSOCK_CIDREG_A_DROPPED,
					       ev->dropped, VSOCK_CIDREG_A_PAD))))
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
		return net_eq(net, ev->net) ? CIDREG_VIEW_ALL : CIDREG_VIEWS;
	if (net_eq(net, ev->net))
		return CIDREG_VIEW_FROM;
	return net_eq(net, ev->to_net) ? CIDREG_VIEW_TO : CIDREG_VIEWS;
}

/*
 * Sends @msgs (NULL: only tells; else one message per view) to every
 * group of every netns whose listeners see @ev, what they may see. Return:
 * whether one does, with the views they need set in @views.
 */
static bool cidreg_event_multicast(const struct genl_family *family,
				   const struct cidreg_event *ev,
				   struct sk_buff **msgs, bool *views)
{
	enum cidreg_event_view view;
	struct sk_buff *skb;
	bool found = false;
	struct net *net;
	int group;

	rcu_read_lock();
	for_each_net_rcu(net) {
		for (group = 0; group < CIDREG_EVENT_NGROUPS; group++) {
			view = cidreg_event_view(ev, net, group);
			if (view == CIDREG_VIEWS ||
			    !genl_has_listeners(family, net, group))
				continue;
			found = true;
			if (!msgs) {
				views[view] = true;
				if (!ev->to_net)	/* the one view there is */
					goto out;
				continue;
			}
			skb = msgs[view] ? skb_clone(msgs[view], GFP_ATOMIC) : NULL;
			if (skb)
				genlmsg_multicast_netns(family, net, skb, 0,
							group, GFP_ATOMIC);
		}
	}
out:
	rcu_read_unlock();
	return found;
}

/**
 * cidreg_event_send() - send an event to the listeners who see it.
 * @ev: the event.
 * @gfp: how to allocate.
 */
void cidreg_event_send(const struct cidreg_event *ev, gfp_t gfp)
{
	const struct genl_family *family = READ_ONCE(cidreg_events_family);
	struct sk_buff *msgs[CIDREG_VIEWS] = {};
	bool views[CIDREG_VIEWS] = {};
	int view;
	void *hdr;

	if (!family || !cidreg_event_multicast(family, ev, NULL, views))
		return;
	for (view = 0; view < CIDREG_VIEWS; view++) {
		if (!views[view])
			continue;
		msgs[view] = nlmsg_new(NLMSG_DEFAULT_SIZE, gfp);
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
	cidreg_event_multicast(family, ev, msgs, views);
	for (view = 0; view < CIDREG_VIEWS; view++)
		nlmsg_free(msgs[view]);
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
	struct cidreg_net *cn = cidreg_net(net);
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
		.info = cidreg_net_local(net) ? VSOCK_CIDREG_INFO_LOCAL : 0,
	};

	get_task_comm(ev.comm, current);
	if (__ratelimit(&cn->denied_rs)) {
		ev.dropped = atomic64_xchg(&cn->denied_dropped, 0);
		cidreg_event_send(&ev, GFP_ATOMIC);
	} else {
		atomic64_inc(&cn->denied_dropped);
		atomic64_inc(&cidreg_dropped);
	}
	pr_notice_ratelimited("%s %s (%s): pid %d comm %*pE netns %u cid %u port %u\n",
			      audit ? "audit: would deny" : "denied",
			      cidreg_op_names[op], cidreg_rule_names[rule],
			      ev.pid, cidreg_comm_len(ev.comm), ev.comm, net->ns.inum,
			      cid, port);
}
