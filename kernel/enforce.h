/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VSOCK_CIDREG_ENFORCE_H
#define _VSOCK_CIDREG_ENFORCE_H

#include <linux/fs.h>
#include <linux/types.h>
#include <linux/vsock_cidreg.h>
#include <net/sock.h>	/* before af_vsock.h, which needs it up to 5.10 */
#include <net/af_vsock.h>

/* The wrappers the hook layer redirects vsock and vhost_vsock to. */
bool cidreg_find_cid_wrapper(unsigned int cid);
int cidreg_bind_wrapper(struct sock *sk, struct sockaddr_vm *addr);
int cidreg_assign_transport_wrapper(struct vsock_sock *vsk,
				    struct vsock_sock *psk);
long cidreg_vhost_ioctl_wrapper(struct file *f, unsigned int ioctl,
				unsigned long arg);
int cidreg_vhost_release_wrapper(struct inode *inode, struct file *f);
int cidreg_vhost_open_wrapper(struct inode *inode, struct file *f);

#define CIDREG_PORTS_MAX 32

int cidreg_set_trusted(struct net *net, bool trusted);
u32 cidreg_mode_get_value(void);
int cidreg_mode_set_value(u32 mode);
bool cidreg_strict_get(void);
void cidreg_strict_set(bool strict);
int cidreg_ports_replace(const u32 *ports, unsigned int n);
unsigned int cidreg_ports_copy(u32 *ports);
void cidreg_stats_read(struct vsock_cidreg_stats *out);
void cidreg_enforce_exit(void);

#endif /* _VSOCK_CIDREG_ENFORCE_H */
