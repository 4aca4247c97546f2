/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VSOCK_CIDREG_CHARDEV_H
#define _VSOCK_CIDREG_CHARDEV_H

int cidreg_chardev_init(void);
void cidreg_chardev_exit(void);

#endif /* _VSOCK_CIDREG_CHARDEV_H */
