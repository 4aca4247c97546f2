/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VSOCK_CIDREG_NETNS_H
#define _VSOCK_CIDREG_NETNS_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>

/**
 * struct cidreg_space - namespaces among which a CID is unique: all those
 *	in vsock's global mode together (every netns before 7.0), or one in
 *	local mode (7.0+), whose vhost-vsock devices and sockets only see
 *	each other.
 * @xa: its registry entries, by CID: changed under the registry lock,
 *	read under RCU.
 * @net: the local-mode netns, or NULL for the global space.
 * @node: in the registry's list of local spaces that hold entries.
 * @id: where dumps take it: 0 for the global space, else a number given
 *	when the space gets its first entry, above every earlier one.
 */
struct cidreg_space {
	struct xarray xa;
	struct net *net;
	struct list_head node;
	u64 id;
};

/**
 * struct cidreg_net - what the module keeps per network namespace.
 * @entries: the registry entries it owns (cidreg_entry.net_node), under
 *	the registry lock.
 * @count: how many; the quota applies to it.
 * @trusted: added to the trusted set (the initial netns is trusted anyway).
 * @space: its space while it is in local mode (cidreg_net_local()).
 * @net: the netns.
 * @listened_node: in the netns where a full view of events may listen
 *	(cidreg_net_listened()), if @listened.
 * @listened: whether it is.
 * @cookie: a number no other netns had or will have since the module
 *	loaded (an address is reused): what events.c keeps its rate limit
 *	by.
 */
struct cidreg_net {
	struct list_head entries;
	unsigned int count;
	bool trusted;
	struct cidreg_space space;
	struct net *net;
	struct list_head listened_node;
	bool listened;
	u64 cookie;
};

int cidreg_netns_init(void);
void cidreg_netns_exit(void);

struct cidreg_net *cidreg_net(const struct net *net);
bool cidreg_may_admin(const struct net *net);
bool cidreg_net_own(const struct net *net);
bool cidreg_may_admin_all(void);
bool cidreg_net_trusted(const struct net *net);
int cidreg_set_trusted(struct net *net, bool trusted);
void cidreg_net_listened(struct net *net);
void cidreg_nets_listened(void (*fn)(struct net *net, void *arg), void *arg);

#endif /* _VSOCK_CIDREG_NETNS_H */
