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
 * filter a multicast per socket, hence two groups rather than one.
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

static int cidreg_event_fill(struct sk_buff *msg, const struct cidreg_event *ev)
{
	if (nla_put_u32(msg, VSOCK_CIDREG_A_EVENT, ev->event) ||
	    nla_put_u32(msg, VSOCK_CIDREG_A_CID, ev->cid) ||
	    nla_put_u64_64bit(msg, VSOCK_CIDREG_A_NETNS_INO, ev->netns_ino,
			      VSOCK_CIDREG_A_PAD) ||
	    nla_put_u32(msg, VSOCK_CIDREG_A_PID, ev->pid) ||
	    nla_put_string(msg, VSOCK_CIDREG_A_COMM, ev->comm))
		return -EMSGSIZE;
	if ((ev->reason && nla_put_u32(msg, VSOCK_CIDREG_A_REASON, ev->reason)) ||
	    (ev->kind && nla_put_u32(msg, VSOCK_CIDREG_A_KIND, ev->kind)) ||
	    (ev->label && nla_put_string(msg, VSOCK_CIDREG_A_LABEL, ev->label)) ||
	    (ev->to_netns_ino &&
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

/* Whether listeners of @group in @net see @ev. Under RCU. */
static bool cidreg_event_visible(const struct cidreg_event *ev,
				 const struct net *net, int group)
{
	if (net_eq(net, ev->net) || (ev->to_net && net_eq(net, ev->to_net)))
		return true;
	/* Joining took CAP_NET_ADMIN over net->user_ns. */
	return group == CIDREG_GROUP_EVENTS && net->user_ns == &init_user_ns;
}

/*
 * Sends @msg (NULL: only tells) to every group of every netns whose
 * listeners see @ev. Return: whether one does.
 */
static bool cidreg_event_multicast(const struct genl_family *family,
				   const struct cidreg_event *ev,
				   struct sk_buff *msg)
{
	struct sk_buff *skb;
	bool found = false;
	struct net *net;
	int group;

	rcu_read_lock();
	for_each_net_rcu(net) {
		for (group = 0; group < CIDREG_EVENT_NGROUPS; group++) {
			if (!cidreg_event_visible(ev, net, group) ||
			    !genl_has_listeners(family, net, group))
				continue;
			found = true;
			if (!msg)
				goto out;
			skb = skb_clone(msg, GFP_ATOMIC);
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
	struct sk_buff *msg;
	void *hdr;

	if (!family || !cidreg_event_multicast(family, ev, NULL))
		return;
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, gfp);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, family, 0, VSOCK_CIDREG_CMD_EVENT);
	if (!hdr || cidreg_event_fill(msg, ev)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	cidreg_event_multicast(family, ev, msg);
	nlmsg_free(msg);
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
