/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VSOCK_CIDREG_HOOKS_H
#define _VSOCK_CIDREG_HOOKS_H

#include <linux/fs.h>
#include <linux/types.h>
#include <net/sock.h>	/* before af_vsock.h, which needs it up to 5.10 */
#include <net/af_vsock.h>

/* The originals of the hooked functions, NULL while their module is away. */
typedef bool (*cidreg_find_cid_t)(unsigned int cid);
typedef int (*cidreg_bind_t)(struct sock *sk, struct sockaddr_vm *addr);
typedef int (*cidreg_assign_transport_t)(struct vsock_sock *vsk,
					 struct vsock_sock *psk);
typedef long (*cidreg_vhost_ioctl_t)(struct file *f, unsigned int ioctl,
				     unsigned long arg);
typedef int (*cidreg_vhost_release_t)(struct inode *inode, struct file *f);
typedef int (*cidreg_vhost_open_t)(struct inode *inode, struct file *f);

extern cidreg_find_cid_t cidreg_orig_find_cid;
extern cidreg_bind_t cidreg_orig_bind;
extern cidreg_assign_transport_t cidreg_orig_assign_transport;
extern cidreg_vhost_ioctl_t cidreg_orig_vhost_ioctl;
extern cidreg_vhost_release_t cidreg_orig_vhost_release;
extern cidreg_vhost_open_t cidreg_orig_vhost_open;

/**
 * struct cidreg_wrappers - what the hooked functions are redirected to.
 * @find_cid: for vsock_find_cid().
 * @bind: for __vsock_bind().
 * @assign_transport: for vsock_assign_transport().
 * @vhost_ioctl: for vhost_vsock_dev_ioctl().
 * @vhost_release: for vhost_vsock_dev_release().
 * @vhost_open: for vhost_vsock_dev_open() (7.0+).
 *
 * Each runs inside cidreg_hook_enter() and cidreg_hook_exit() and calls
 * the original through its cidreg_orig_ pointer.
 */
struct cidreg_wrappers {
	cidreg_find_cid_t find_cid;
	cidreg_bind_t bind;
	cidreg_assign_transport_t assign_transport;
	cidreg_vhost_ioctl_t vhost_ioctl;
	cidreg_vhost_release_t vhost_release;
	cidreg_vhost_open_t vhost_open;
};

int cidreg_hooks_init(const struct cidreg_wrappers *w);
void cidreg_hooks_exit(void);
/* Brackets a wrapper, or a call through a resolved address. */
int cidreg_hook_enter(void);
void cidreg_hook_exit(int idx);

bool cidreg_vhost_holds(u32 cid, struct net *net);
bool cidreg_cid_is_local(u32 cid);

#endif /* _VSOCK_CIDREG_HOOKS_H */
