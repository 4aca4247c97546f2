// SPDX-License-Identifier: GPL-2.0
/*
 * Network namespaces: the module's state of each (struct cidreg_net).
 * What ends with a netns is the registry's to end (registry.c registers
 * its own pernet exit, after this one).
 *
 * The netns where a full view of events may listen: the initial one, and
 * any other of the initial user namespace from which someone with
 * CAP_NET_ADMIN there asked the family something or joined its events
 * (netlink.c; the kernel tells a family neither which netns its
 * listeners are in, nor, before 6.6, that they joined). events.c sends a
 * full view to these alone, so that an event costs nothing in the
 * thousands of netns nobody listens in. A netns leaves the list when it
 * goes, before an RCU grace period that its readers finish in.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/nsproxy.h>
#include <linux/cred.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <net/net_namespace.h>	/* before netns/generic.h, up to 5.10 */
#include <net/netns/generic.h>

#include "netns.h"

static unsigned int cidreg_net_id __read_mostly;
static atomic64_t cidreg_net_cookie = ATOMIC64_INIT(0);
/* struct cidreg_net.listened_node; RCU to read. */
static LIST_HEAD(cidreg_listened);
static DEFINE_SPINLOCK(cidreg_listened_lock);

/**
 * cidreg_net() - the module's state of a network namespace.
 * @net: the netns.
 *
 * Return: its struct cidreg_net.
 */
struct cidreg_net *cidreg_net(const struct net *net)
{
	return net_generic(net, cidreg_net_id);
}

/**
 * cidreg_may_admin() - whether the caller may act on a netns's CIDs.
 * @net: the netns.
 *
 * A caller may always act on its own (cidreg_net_own()). Another netns's
 * need the right to configure (CAP_NET_ADMIN in the initial user
 * namespace, and a trusted netns or CAP_SYS_ADMIN): a pod's
 * CAP_NET_ADMIN, which CNI plugins and sidecars have, is not enough.
 *
 * Return: true if the caller may.
 */
bool cidreg_may_admin(const struct net *net)
{
	return cidreg_net_own(net) || cidreg_may_admin_all();
}

/**
 * cidreg_net_own() - whether a netns is the caller's own: its netns, or
 *	one of a user namespace it is in with CAP_NET_ADMIN over it (a pod's
 *	own nested namespaces, not its neighbours').
 * @net: the netns.
 *
 * Return: true if it is.
 */
bool cidreg_net_own(const struct net *net)
{
	return net_eq(net, current->nsproxy->net_ns) ||
	       (net->user_ns != &init_user_ns &&
		current_user_ns() != &init_user_ns &&
		ns_capable(net->user_ns, CAP_NET_ADMIN));
}

/**
 * cidreg_may_admin_all() - whether the caller may act on every netns's
 *	CIDs (releasing them all at once, or any one netns's).
 *
 * Return: true if it has the right to configure: CAP_NET_ADMIN in the
 * initial user namespace, and a caller in the initial or a trusted netns
 * or with CAP_SYS_ADMIN there, as cidreg_may_configure()'s callers ask.
 */
bool cidreg_may_admin_all(void)
{
	return capable(CAP_NET_ADMIN) &&
	       (cidreg_net_trusted(current->nsproxy->net_ns) ||
		capable(CAP_SYS_ADMIN));
}

/**
 * cidreg_net_trusted() - whether a netns is trusted.
 * @net: the netns.
 *
 * Return: true for the initial netns and those added to the trusted set.
 */
bool cidreg_net_trusted(const struct net *net)
{
	return net_eq(net, &init_net) || READ_ONCE(cidreg_net(net)->trusted);
}

/**
 * cidreg_set_trusted() - add a netns to the trusted set or remove it.
 * @net: the netns.
 * @trusted: add, or remove.
 *
 * Return: 1 if it changed, 0 if it was so already, or -EINVAL for
 * removing the initial netns.
 */
int cidreg_set_trusted(struct net *net, bool trusted)
{
	if (net_eq(net, &init_net))
		return trusted ? 0 : -EINVAL;
	return xchg(&cidreg_net(net)->trusted, trusted) != trusted;
}

/**
 * cidreg_net_listened() - a full view of events may listen in a netns.
 * @net: the netns, which holds a socket of the caller (alive).
 */
void cidreg_net_listened(struct net *net)
{
	struct cidreg_net *cn = cidreg_net(net);

	if (READ_ONCE(cn->listened))
		return;
	spin_lock(&cidreg_listened_lock);
	if (!cn->listened) {
		list_add_tail_rcu(&cn->listened_node, &cidreg_listened);
		WRITE_ONCE(cn->listened, true);
	}
	spin_unlock(&cidreg_listened_lock);
}

/**
 * cidreg_nets_listened() - call a function for each netns where a full
 *	view of events may listen (cidreg_net_listened()).
 * @fn: the function, called under RCU.
 * @arg: its argument.
 */
void cidreg_nets_listened(void (*fn)(struct net *net, void *arg), void *arg)
{
	struct cidreg_net *cn;

	rcu_read_lock();
	list_for_each_entry_rcu(cn, &cidreg_listened, listened_node)
		fn(cn->net, arg);
	rcu_read_unlock();
}

static int __net_init cidreg_net_init(struct net *net)
{
	struct cidreg_net *cn = cidreg_net(net);

	INIT_LIST_HEAD(&cn->entries);
	cn->count = 0;
	cn->trusted = false;
	xa_init_flags(&cn->space.xa, XA_FLAGS_ALLOC | XA_FLAGS_ACCOUNT);
	cn->space.net = net;
	INIT_LIST_HEAD(&cn->space.node);
	cn->space.id = 0;
	cn->net = net;
	cn->listened = false;
	cn->cookie = atomic64_inc_return(&cidreg_net_cookie);
	if (net_eq(net, &init_net))
		cidreg_net_listened(net);
	return 0;
}

/* Off the list before the grace period that ends its readers. */
static void __net_exit cidreg_net_pre_exit(struct net *net)
{
	struct cidreg_net *cn = cidreg_net(net);

	spin_lock(&cidreg_listened_lock);
	if (cn->listened) {
		list_del_rcu(&cn->listened_node);
		WRITE_ONCE(cn->listened, false);
	}
	spin_unlock(&cidreg_listened_lock);
}

static struct pernet_operations cidreg_net_ops = {
	.init	= cidreg_net_init,
	.pre_exit	= cidreg_net_pre_exit,
	.id	= &cidreg_net_id,
	.size	= sizeof(struct cidreg_net),
};

/**
 * cidreg_netns_init() - start keeping per-netns state.
 *
 * Return: 0 or a negative errno.
 */
int cidreg_netns_init(void)
{
	return register_pernet_subsys(&cidreg_net_ops);
}

/**
 * cidreg_netns_exit() - stop keeping per-netns state.
 */
void cidreg_netns_exit(void)
{
	unregister_pernet_subsys(&cidreg_net_ops);
}
