/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VSOCK_CIDREG_NETNS_H
#define _VSOCK_CIDREG_NETNS_H

#include <linux/list.h>
#include <net/net_namespace.h>

/**
 * struct cidreg_net - what the module keeps per network namespace.
 * @entries: the registry entries it owns (cidreg_entry.net_node), under
 *	the registry lock.
 * @count: how many; the quota applies to it.
 * @trusted: added to the trusted set (the initial netns is trusted anyway).
 */
struct cidreg_net {
	struct list_head entries;
	unsigned int count;
	bool trusted;
};

int cidreg_netns_init(void);
void cidreg_netns_exit(void);

struct cidreg_net *cidreg_net(const struct net *net);
bool cidreg_may_admin(const struct net *net);

#endif /* _VSOCK_CIDREG_NETNS_H */
