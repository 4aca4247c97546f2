/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VSOCK_CIDREG_NETLINK_H
#define _VSOCK_CIDREG_NETLINK_H

int cidreg_netlink_init(void);
void cidreg_netlink_exit(void);

#endif /* _VSOCK_CIDREG_NETLINK_H */
