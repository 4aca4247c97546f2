// SPDX-License-Identifier: GPL-2.0
/*
 * Events: what the registry and the hooks report, as messages of the
 * "events" multicast group of the generic netlink family, and as kernel
 * log lines for refusals.
 *
 * Visibility: events name every netns, so they go to listeners in the
 * initial netns only, with CAP_NET_ADMIN (CAP_SYS_ADMIN on kernels that
 * cannot ask for less: compat.h). Nothing is built when nobody listens.
 * Refusals, which a pod can cause at will, are sent at most
 * CIDREG_DENIED_BURST a second and logged at most at printk's rate limit;
 * the counters of the hooks count every one.
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

enum { CIDREG_GROUP_EVENTS };

const struct genl_multicast_group cidreg_event_groups[CIDREG_EVENT_NGROUPS] = {
	[CIDREG_GROUP_EVENTS] = { .name = VSOCK_CIDREG_MCGRP_EVENTS,
				  CIDREG_MCGRP_NET_ADMIN },
};

static const char * const cidreg_op_names[] = VSOCK_CIDREG_OP_NAMES;

#define CIDREG_DENIED_BURST 100
static DEFINE_RATELIMIT_STATE(cidreg_denied_rs, HZ, CIDREG_DENIED_BURST);

static const struct genl_family *cidreg_events_family;

/**
 * cidreg_events_start() - start sending events.
 * @family: the registered family, whose groups are cidreg_event_groups.
 */
void cidreg_events_start(const struct genl_family *family)
{
	/* No "callbacks suppressed" lines: the counters tell how many. */
	ratelimit_set_flags(&cidreg_denied_rs, RATELIMIT_MSG_ON_RELEASE);
	WRITE_ONCE(cidreg_events_family, family);
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
	     nla_put_u32(msg, VSOCK_CIDREG_A_MODE, ev->mode)))
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

/**
 * cidreg_event_send() - send an event to the "events" group.
 * @ev: the event.
 * @gfp: how to allocate.
 */
void cidreg_event_send(const struct cidreg_event *ev, gfp_t gfp)
{
	const struct genl_family *family = READ_ONCE(cidreg_events_family);
	struct sk_buff *msg;
	void *hdr;

	if (!family || !genl_has_listeners(family, &init_net,
					   CIDREG_GROUP_EVENTS))
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
	genlmsg_multicast(family, msg, 0, CIDREG_GROUP_EVENTS, gfp);
}

/**
 * cidreg_event_denied() - report an operation the hooks refused, or would
 *	have refused, in the caller's context.
 * @op: enum vsock_cidreg_op.
 * @mode: VSOCK_CIDREG_MODE_ENFORCE (refused) or _AUDIT (would have been).
 * @net: the netns of the operation.
 * @cid: the CID.
 * @port: the port, or 0.
 *
 * Atomic context allowed.
 */
void cidreg_event_denied(u32 op, u32 mode, const struct net *net, u32 cid,
			 u32 port)
{
	bool audit = mode == VSOCK_CIDREG_MODE_AUDIT;
	struct cidreg_event ev = {
		.event = VSOCK_CIDREG_EVENT_DENIED,
		.cid = cid,
		.op = op,
		.port = port,
		.mode = mode,
		.netns_ino = net->ns.inum,
		.pid = task_tgid_nr(current),
	};

	get_task_comm(ev.comm, current);
	if (__ratelimit(&cidreg_denied_rs))
		cidreg_event_send(&ev, GFP_ATOMIC);
	pr_notice_ratelimited("%s %s: pid %d comm %s netns %u cid %u port %u\n",
			      audit ? "audit: would deny" : "denied",
			      cidreg_op_names[op], ev.pid, ev.comm,
			      net->ns.inum, cid, port);
}
