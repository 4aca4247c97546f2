// SPDX-License-Identifier: GPL-2.0
/*
 * The "vsock_cidreg" generic netlink family: queries, statistics,
 * configuration, the trusted set, and the "events" multicast group.
 * Documentation/netlink/specs/vsock_cidreg.yaml is its spec.
 *
 * This file only translates messages: settings are settings.c's, events
 * events.c's (which sends them through this family), entries the
 * registry's. Every command has its own policy, validated strictly: an
 * attribute the command does not take is refused with an extack message.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/slab.h>
#include <linux/vm_sockets.h>
#include <linux/vsock_cidreg.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "compat.h"
#include "enforce.h"
#include "events.h"
#include "netlink.h"
#include "netns.h"
#include "registry.h"
#include "settings.h"

static struct genl_family cidreg_family;

static const struct nla_policy cidreg_get_policy[VSOCK_CIDREG_A_MAX + 1] = {
	[VSOCK_CIDREG_A_CID] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_NETNS_FD] = { .type = NLA_S32 },
};

static const struct nla_policy cidreg_none_policy[VSOCK_CIDREG_A_MAX + 1] = {
};

static const struct nla_policy cidreg_config_policy[VSOCK_CIDREG_A_MAX + 1] = {
	[VSOCK_CIDREG_A_MODE] = NLA_POLICY_MAX(NLA_U32,
					       VSOCK_CIDREG_MODE_ENFORCE),
	[VSOCK_CIDREG_A_STRICT] = NLA_POLICY_MAX(NLA_U8, 1),
	[VSOCK_CIDREG_A_CID_MIN] = NLA_POLICY_MIN(NLA_U32, 3),
	[VSOCK_CIDREG_A_CID_MAX] = NLA_POLICY_MIN(NLA_U32, 3),
	[VSOCK_CIDREG_A_QUOTA] = { .type = NLA_U32 },
	[VSOCK_CIDREG_A_PROTECTED_PORTS] = {
		.type = NLA_BINARY, .len = CIDREG_PORTS_MAX * sizeof(u32) },
};

static const struct nla_policy cidreg_trust_policy[VSOCK_CIDREG_A_MAX + 1] = {
	[VSOCK_CIDREG_A_NETNS_FD] = { .type = NLA_S32 },
};

static void *cidreg_put_header(struct sk_buff *skb, u32 portid, u32 seq,
			       int flags, u8 cmd)
{
	return genlmsg_put(skb, portid, seq, &cidreg_family, flags, cmd);
}

static int cidreg_fill_entry(struct sk_buff *skb,
			     const struct vsock_cidreg_entry *e)
{
	if (nla_put_u32(skb, VSOCK_CIDREG_A_CID, e->cid) ||
	    nla_put_u32(skb, VSOCK_CIDREG_A_INFO, e->info))
		return -EMSGSIZE;
	if (e->info & VSOCK_CIDREG_INFO_HIDDEN)
		return 0;
	if (nla_put_u32(skb, VSOCK_CIDREG_A_KIND, e->kind) ||
	    nla_put_u64_64bit(skb, VSOCK_CIDREG_A_NETNS_INO, e->netns_ino,
			      VSOCK_CIDREG_A_PAD) ||
	    nla_put_string(skb, VSOCK_CIDREG_A_LABEL, e->label) ||
	    nla_put_u32(skb, VSOCK_CIDREG_A_CREATOR_PID, e->creator_pid) ||
	    nla_put_u32(skb, VSOCK_CIDREG_A_CREATOR_UID, e->creator_uid) ||
	    nla_put_string(skb, VSOCK_CIDREG_A_COMM, e->comm) ||
	    nla_put_u64_64bit(skb, VSOCK_CIDREG_A_CTIME_NS, e->ctime_ns,
			      VSOCK_CIDREG_A_PAD) ||
	    nla_put_u32(skb, VSOCK_CIDREG_A_HOLDER_PID, e->holder_pid))
		return -EMSGSIZE;
	return 0;
}

/*
 * @skb: a request. From someone with CAP_NET_ADMIN in the initial user
 * namespace, in a netns the initial user namespace owns, it may come with
 * a full view of events listening there: they go there from now on
 * (netns.c).
 */
static void cidreg_nl_heard(const struct sk_buff *skb)
{
	struct net *net = sock_net(skb->sk);

	if (net->user_ns == &init_user_ns && netlink_capable(skb, CAP_NET_ADMIN))
		cidreg_net_listened(net);
}

#ifdef CIDREG_HAVE_GENL_BIND
/*
 * Since 6.6 the family hears of a join, in the joiner's context, without
 * the socket: its netns is taken to be the joiner's (it nearly always
 * is; a socket of another netns is found by its first request).
 */
static int cidreg_nl_bind(int group)
{
	struct net *net = current->nsproxy->net_ns;

	if (group == CIDREG_GROUP_EVENTS &&
	    net->user_ns == &init_user_ns && capable(CAP_NET_ADMIN))
		cidreg_net_listened(net);
	return 0;
}
#endif

/* @skb: a request. */
static struct cidreg_viewer cidreg_viewer_of(const struct sk_buff *skb)
{
	return (struct cidreg_viewer){
		.net = sock_net(skb->sk),
		.admin = netlink_capable(skb, CAP_NET_ADMIN),
	};
}

static int cidreg_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct cidreg_viewer viewer = cidreg_viewer_of(skb);
	struct vsock_cidreg_entry e = {};
	struct sk_buff *msg;
	void *hdr;
	int err;

	cidreg_nl_heard(skb);
	if (GENL_REQ_ATTR_CHECK(info, VSOCK_CIDREG_A_CID))
		return -EINVAL;
	if (info->attrs[VSOCK_CIDREG_A_NETNS_FD]) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[VSOCK_CIDREG_A_NETNS_FD],
				    "a netns filter applies to dumps only");
		return -EINVAL;
	}
	err = cidreg_query(nla_get_u32(info->attrs[VSOCK_CIDREG_A_CID]),
			   &viewer, &e);
	if (err) {
		NL_SET_ERR_MSG(info->extack, "CID not reserved");
		return err;
	}
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = cidreg_put_header(msg, info->snd_portid, info->snd_seq, 0,
				VSOCK_CIDREG_CMD_GET);
	if (!hdr || cidreg_fill_entry(msg, &e)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * cb->args: [0] next CID, [1] done, [2] netns of the filter (a reference),
 * [3] space of the next CID (cidreg_query_next()).
 */
static int cidreg_nl_dump_start(struct netlink_callback *cb)
{
	struct cidreg_viewer viewer = cidreg_viewer_of(cb->skb);
	struct nlattr **attrs = cidreg_dump_attrs(cb);
	struct nlattr *fd = attrs[VSOCK_CIDREG_A_NETNS_FD];
	struct net *net;

	cidreg_nl_heard(cb->skb);
	if (attrs[VSOCK_CIDREG_A_CID]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[VSOCK_CIDREG_A_CID],
				    "a dump takes no CID");
		return -EINVAL;
	}
	if (!fd)
		return 0;
	net = get_net_ns_by_fd(nla_get_s32(fd));
	if (IS_ERR(net)) {
		NL_SET_ERR_MSG_ATTR(cb->extack, fd, "not a netns fd");
		return PTR_ERR(net);
	}
	if (!cidreg_viewer_sees(&viewer, net)) {
		put_net(net);
		NL_SET_ERR_MSG_ATTR(cb->extack, fd,
				    "filtering by another netns needs CAP_NET_ADMIN");
		return -EPERM;
	}
	cb->args[2] = (long)net;
	return 0;
}

static int cidreg_nl_dump_done(struct netlink_callback *cb)
{
	if (cb->args[2])
		put_net((struct net *)cb->args[2]);
	return 0;
}

static int cidreg_nl_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	/* The request, not the reply being filled, says who asks. */
	struct cidreg_viewer viewer = cidreg_viewer_of(cb->skb);
	const struct net *owner = (const struct net *)cb->args[2];
	unsigned int generation;
	u64 space = cb->args[3];
	u32 cid = cb->args[0];
	void *hdr;

	while (!cb->args[1]) {
		struct vsock_cidreg_entry e = {};

		if (cidreg_query_next(&space, &cid, owner, &viewer, &e,
				      &generation)) {
			cb->args[1] = 1;
			break;
		}
		cb->seq = generation;
		hdr = cidreg_put_header(skb, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI,
					VSOCK_CIDREG_CMD_GET);
		if (!hdr)
			break;
		nl_dump_check_consistent(cb, genlmsg_nlhdr(hdr));
		if (cidreg_fill_entry(skb, &e)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		/* Never U32_MAX (VMADDR_CID_ANY): the next CID is in range. */
		cid++;
		cb->args[0] = cid;
		cb->args[3] = space;
	}
	return skb->len;
}

static int cidreg_nl_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct vsock_cidreg_stats st = {};
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;
	int op;

	cidreg_nl_heard(skb);
	cidreg_stats_read(&st);
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = cidreg_put_header(msg, info->snd_portid, info->snd_seq, 0,
				VSOCK_CIDREG_CMD_GET_STATS);
	if (!hdr || nla_put_u32(msg, VSOCK_CIDREG_A_ENTRIES, cidreg_count()) ||
	    nla_put_u64_64bit(msg, VSOCK_CIDREG_A_CONFIG_CHANGES,
			      cidreg_settings_changes(), VSOCK_CIDREG_A_PAD) ||
	    nla_put_u64_64bit(msg, VSOCK_CIDREG_A_EVENTS_DROPPED,
			      cidreg_events_dropped(), VSOCK_CIDREG_A_PAD))
		goto nospace;
	for (op = 0; op < VSOCK_CIDREG_OP_COUNT; op++) {
		nest = nla_nest_start(msg, VSOCK_CIDREG_A_OP_STATS);
		if (!nest ||
		    nla_put_u32(msg, VSOCK_CIDREG_A_OP, op) ||
		    nla_put_u64_64bit(msg, VSOCK_CIDREG_A_ALLOWED,
				      st.allowed[op], VSOCK_CIDREG_A_PAD) ||
		    nla_put_u64_64bit(msg, VSOCK_CIDREG_A_DENIED,
				      st.denied[op], VSOCK_CIDREG_A_PAD) ||
		    nla_put_u64_64bit(msg, VSOCK_CIDREG_A_AUDITED,
				      st.audited[op], VSOCK_CIDREG_A_PAD))
			goto nospace;
		nla_nest_end(msg, nest);
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int cidreg_nl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	u32 ports[CIDREG_PORTS_MAX];
	unsigned int nports = cidreg_setting_ports(ports);
	struct sk_buff *msg;
	u32 min, max;
	void *hdr;

	cidreg_nl_heard(skb);
	cidreg_setting_range(&min, &max);

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = cidreg_put_header(msg, info->snd_portid, info->snd_seq, 0,
				VSOCK_CIDREG_CMD_GET_CONFIG);
	if (!hdr ||
	    nla_put_u32(msg, VSOCK_CIDREG_A_MODE, cidreg_setting_mode()) ||
	    nla_put_u8(msg, VSOCK_CIDREG_A_STRICT, cidreg_setting_strict()) ||
	    nla_put_u32(msg, VSOCK_CIDREG_A_CID_MIN, min) ||
	    nla_put_u32(msg, VSOCK_CIDREG_A_CID_MAX, max) ||
	    nla_put_u32(msg, VSOCK_CIDREG_A_QUOTA, cidreg_setting_quota()) ||
	    nla_put(msg, VSOCK_CIDREG_A_PROTECTED_PORTS, nports * sizeof(u32),
		    ports)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * Beyond GENL_ADMIN_PERM (CAP_NET_ADMIN in the initial user namespace):
 * from the initial or a trusted netns, or with CAP_SYS_ADMIN.
 */
static int cidreg_nl_may_configure(struct sk_buff *skb, struct genl_info *info)
{
	if (cidreg_may_configure(sock_net(skb->sk),
				 netlink_capable(skb, CAP_SYS_ADMIN)))
		return 0;
	NL_SET_ERR_MSG(info->extack,
		       "from an untrusted netns, changes need CAP_SYS_ADMIN");
	return -EPERM;
}

/* settings.c checks everything first, then changes it: all or nothing. */
static int cidreg_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *ports = info->attrs[VSOCK_CIDREG_A_PROTECTED_PORTS];
	struct nlattr **a = info->attrs;
	struct cidreg_settings_change *c;
	const char *why = NULL;
	int err;

	cidreg_nl_heard(skb);
	err = cidreg_nl_may_configure(skb, info);
	if (err)
		return err;
	if (ports && nla_len(ports) % sizeof(u32)) {
		NL_SET_ERR_MSG_ATTR(info->extack, ports,
				    "protected ports: an array of u32");
		return -EINVAL;
	}
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	if (a[VSOCK_CIDREG_A_MODE]) {
		c->set_mode = true;
		c->mode = nla_get_u32(a[VSOCK_CIDREG_A_MODE]);
	}
	if (a[VSOCK_CIDREG_A_STRICT]) {
		c->set_strict = true;
		c->strict = nla_get_u8(a[VSOCK_CIDREG_A_STRICT]);
	}
	if (a[VSOCK_CIDREG_A_CID_MIN]) {
		c->set_cid_min = true;
		c->cid_min = nla_get_u32(a[VSOCK_CIDREG_A_CID_MIN]);
	}
	if (a[VSOCK_CIDREG_A_CID_MAX]) {
		c->set_cid_max = true;
		c->cid_max = nla_get_u32(a[VSOCK_CIDREG_A_CID_MAX]);
	}
	if (a[VSOCK_CIDREG_A_QUOTA]) {
		c->set_quota = true;
		c->quota = nla_get_u32(a[VSOCK_CIDREG_A_QUOTA]);
	}
	if (ports) {
		c->set_ports = true;
		c->nports = nla_len(ports) / sizeof(u32);
		nla_memcpy(c->ports, ports, sizeof(c->ports));
	}
	err = cidreg_settings_apply(c, &why);
	kfree(c);
	/* NL_SET_ERR_MSG() takes literals only: @why is a static string. */
	if (err && info->extack)
		info->extack->_msg = why;
	return err;
}

static int cidreg_nl_trust(struct sk_buff *skb, struct genl_info *info)
{
	bool trust = info->genlhdr->cmd == VSOCK_CIDREG_CMD_TRUST;
	struct nlattr *fd;
	struct net *net;
	int err;

	cidreg_nl_heard(skb);
	err = cidreg_nl_may_configure(skb, info);
	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(info, VSOCK_CIDREG_A_NETNS_FD))
		return -EINVAL;
	fd = info->attrs[VSOCK_CIDREG_A_NETNS_FD];
	net = get_net_ns_by_fd(nla_get_s32(fd));
	if (IS_ERR(net)) {
		NL_SET_ERR_MSG_ATTR(info->extack, fd, "not a netns fd");
		return PTR_ERR(net);
	}
	err = cidreg_settings_trust(net, trust);
	put_net(net);
	if (err)
		NL_SET_ERR_MSG_ATTR(info->extack, fd,
				    "the initial netns is always trusted");
	return err;
}

static const struct genl_ops cidreg_ops[] = {
	{
		.cmd = VSOCK_CIDREG_CMD_GET,
		.doit = cidreg_nl_get_doit,
		.start = cidreg_nl_dump_start,
		.dumpit = cidreg_nl_get_dumpit,
		.done = cidreg_nl_dump_done,
		.policy = cidreg_get_policy,
		.maxattr = VSOCK_CIDREG_A_MAX,
	},
	{
		.cmd = VSOCK_CIDREG_CMD_GET_STATS,
		.doit = cidreg_nl_stats,
		.policy = cidreg_none_policy,
		.maxattr = VSOCK_CIDREG_A_MAX,
	},
	{
		.cmd = VSOCK_CIDREG_CMD_GET_CONFIG,
		.doit = cidreg_nl_get_config,
		.policy = cidreg_none_policy,
		.maxattr = VSOCK_CIDREG_A_MAX,
	},
	{
		.cmd = VSOCK_CIDREG_CMD_SET_CONFIG,
		.doit = cidreg_nl_set_config,
		.policy = cidreg_config_policy,
		.maxattr = VSOCK_CIDREG_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = VSOCK_CIDREG_CMD_TRUST,
		.doit = cidreg_nl_trust,
		.policy = cidreg_trust_policy,
		.maxattr = VSOCK_CIDREG_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = VSOCK_CIDREG_CMD_UNTRUST,
		.doit = cidreg_nl_trust,
		.policy = cidreg_trust_policy,
		.maxattr = VSOCK_CIDREG_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family cidreg_family __ro_after_init = {
	.name = VSOCK_CIDREG_FAMILY_NAME,
	.version = VSOCK_CIDREG_FAMILY_VERSION,
	.maxattr = VSOCK_CIDREG_A_MAX,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = cidreg_ops,
	.n_ops = ARRAY_SIZE(cidreg_ops),
	CIDREG_GENL_RESV_START_OP(VSOCK_CIDREG_CMD_MAX + 1)
	.mcgrps = cidreg_event_groups,
	.n_mcgrps = CIDREG_EVENT_NGROUPS,
	CIDREG_GENL_BIND(cidreg_nl_bind)
};

/**
 * cidreg_netlink_init() - register the family.
 *
 * Return: 0 or a negative errno.
 */
int cidreg_netlink_init(void)
{
	int err = genl_register_family(&cidreg_family);

	if (!err)
		cidreg_events_start(&cidreg_family);
	return err;
}

/**
 * cidreg_netlink_exit() - unregister the family.
 */
void cidreg_netlink_exit(void)
{
	cidreg_events_stop();
	genl_unregister_family(&cidreg_family);
}
