/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CIDREG_SELFTEST_VHOST_H
#define _CIDREG_SELFTEST_VHOST_H

#include <linux/types.h>

/*
 * Opens /dev/vhost-vsock, takes ownership and sets the guest CID, as QEMU
 * does when it realises a vhost-vsock device. Returns the fd or -errno.
 */
int vhost_vsock_claim(__u64 cid);

#endif /* _CIDREG_SELFTEST_VHOST_H */
