/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CIDREG_SELFTEST_VHOST_H
#define _CIDREG_SELFTEST_VHOST_H

#include <linux/types.h>

/*
 * Opens /dev/vhost-vsock, takes ownership and sets the guest CID, as QEMU
 * does when it realises a vhost-vsock device. Returns the fd or -errno.
 */
int vhost_vsock_claim(__u64 cid);
/* The same, from the netns of @nsfd (the caller stays in its own). */
int vhost_vsock_claim_in(int nsfd, __u64 cid);

/*
 * The errno of a non-blocking connect() to a CID whose device is not
 * running (claimed, no guest), when nothing refuses it: the request waits
 * for the guest (EINPROGRESS) up to 6.x; 7.x fails it at once when the
 * guest has not enabled its RX queue (EHOSTUNREACH; measured on Debian's
 * 7.2 and 7.3).
 */
int vhost_stopped_connect_errno(void);

#endif /* _CIDREG_SELFTEST_VHOST_H */
