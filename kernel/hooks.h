/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VSOCK_CIDREG_HOOKS_H
#define _VSOCK_CIDREG_HOOKS_H

#include <linux/types.h>

int cidreg_hooks_init(void);
void cidreg_hooks_exit(void);

bool cidreg_vhost_holds(u32 cid);
bool cidreg_cid_is_local(u32 cid);

#endif /* _VSOCK_CIDREG_HOOKS_H */
