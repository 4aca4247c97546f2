/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VSOCK_CIDREG_ENFORCE_H
#define _VSOCK_CIDREG_ENFORCE_H

#include <linux/types.h>
#include <linux/vsock_cidreg.h>

struct net;

void cidreg_stats_read(struct vsock_cidreg_stats *out);
int cidreg_enforce_init(void);
void cidreg_enforce_exit(void);

#endif /* _VSOCK_CIDREG_ENFORCE_H */
