/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vsock_cidreg: a registry of vsock context IDs (CIDs) owned by network
 * namespaces, with enforcement on vsock.
 *
 * This header is the userspace API of the module: the misc device
 * /dev/vsock-cidreg and its ioctls. See Documentation/uapi.md.
 */
#ifndef _UAPI_LINUX_VSOCK_CIDREG_H
#define _UAPI_LINUX_VSOCK_CIDREG_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * VSOCK_CIDREG_DEVICE - name of the misc device, under /dev.
 */
#define VSOCK_CIDREG_DEVICE		"vsock-cidreg"

/**
 * VSOCK_CIDREG_IOC_MAGIC - ioctl type of every /dev/vsock-cidreg ioctl.
 *
 * 0xC1 is not claimed in Documentation/userspace-api/ioctl/ioctl-number.rst
 * (as of Linux 6.1).
 */
#define VSOCK_CIDREG_IOC_MAGIC		0xC1

#endif /* _UAPI_LINUX_VSOCK_CIDREG_H */
