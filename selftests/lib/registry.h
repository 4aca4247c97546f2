/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin wrappers of the /dev/vsock-cidreg ioctls for the selftests: each
 * fills in the size and returns a result or -errno, so a test reads as
 * EXPECT_EQ(-EADDRINUSE, reg_reserve(...)). Tests that probe the ABI
 * itself (sizes, bad pointers) call ioctl() directly.
 */
#ifndef _CIDREG_SELFTEST_REGISTRY_H
#define _CIDREG_SELFTEST_REGISTRY_H

#include <linux/vsock_cidreg.h>

#define REG_DEVICE "/dev/" VSOCK_CIDREG_DEVICE

int reg_open(void);
/* The CID reserved, or -errno. */
long long reg_reserve(int fd, struct vsock_cidreg_reserve r);
long long reg_reserve_cid(int fd, __u32 cid, __u32 flags);
long long reg_reserve_any(int fd, __u32 min, __u32 max, __u32 flags);
int reg_release(int fd, __u32 cid);
/* How many were released, or -errno. */
int reg_release_all(int fd, __u32 flags, int netns_fd);
int reg_query(int fd, __u32 cid, struct vsock_cidreg_entry *e);
int reg_transfer(int fd, __u32 cid, int netns_fd, __u32 flags);
/* 1 if @cid is reserved, 0 if not, -errno on error. */
int reg_is_reserved(int fd, __u32 cid);
int reg_set_param(const char *name, unsigned long value);
int reg_set_param_str(const char *name, const char *value);
int reg_trust(int fd, int netns_fd, __u32 flags);
int reg_stats(int fd, struct vsock_cidreg_stats *st);
/* Releases every reservation and restores the default parameters. */
int reg_reset(int fd);
/*
 * Loads vsock_cidreg (unless loaded) and vhost_vsock, opens the device and
 * resets the registry: the start of most fixtures. An fd, or -errno.
 */
int reg_ready(void);

#endif /* _CIDREG_SELFTEST_REGISTRY_H */
