// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vsock-cidreg: the ioctls that reserve, release, query and transfer
 * CIDs. This file turns user memory into registry requests and checks who
 * may act on which network namespace; the registry does the rest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vsock_cidreg.h>
#include <net/net_namespace.h>

#include "chardev.h"
#include "enforce.h"
#include "netns.h"
#include "registry.h"
#include "settings.h"

/*
 * Copies an extensible struct in: @usize (its first member) must cover
 * @ver0 and be at most a page (E2BIG above, as openat2() and clone3()
 * cap theirs: a size of 4 GiB would have the kernel check that much user
 * memory for zeroes); bytes beyond @ksize must be zero
 * (copy_struct_from_user()).
 */
static int cidreg_copy_in(void *karg, size_t ksize, size_t ver0,
			  const void __user *uarg, u32 *usize)
{
	if (get_user(*usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (*usize < ver0)
		return -EINVAL;
	if (*usize > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_from_user(karg, ksize, uarg, *usize);
}

static int cidreg_copy_out(void __user *uarg, const void *karg, size_t ksize,
			   u32 usize)
{
	return copy_to_user(uarg, karg, min_t(size_t, ksize, usize)) ?
	       -EFAULT : 0;
}

/*
 * The netns a request is about: that of @fd when @by_fd, else the caller's.
 * Acting on another netns needs cidreg_may_admin(). Returns a reference.
 */
static struct net *cidreg_target_net(bool by_fd, int fd)
{
	struct net *net;

	if (!by_fd)
		return get_net(current->nsproxy->net_ns);
	net = get_net_ns_by_fd(fd);
	if (IS_ERR(net))
		return net;
	if (!cidreg_may_admin(net)) {
		put_net(net);
		return ERR_PTR(-EPERM);
	}
	return net;
}

#define CIDREG_RESERVE_FLAGS (VSOCK_CIDREG_RESERVE_ANY | \
			      VSOCK_CIDREG_RESERVE_LOWEST | \
			      VSOCK_CIDREG_RESERVE_PERSISTENT | \
			      VSOCK_CIDREG_RESERVE_NETNS)

static int cidreg_ioctl_reserve(struct cidreg_file *cf, void __user *uarg)
{
	struct vsock_cidreg_reserve arg;
	struct cidreg_request req = {};
	struct net *net;
	u32 usize;
	int err;

	err = cidreg_copy_in(&arg, sizeof(arg), VSOCK_CIDREG_RESERVE_SIZE_VER0,
			     uarg, &usize);
	if (err)
		return err;
	if (arg.flags & ~CIDREG_RESERVE_FLAGS)
		return -EINVAL;
	req.any = arg.flags & VSOCK_CIDREG_RESERVE_ANY;
	req.lowest = arg.flags & VSOCK_CIDREG_RESERVE_LOWEST;
	if (req.any ? arg.cid : (req.lowest || arg.cid_min || arg.cid_max))
		return -EINVAL;
	if (!(arg.flags & VSOCK_CIDREG_RESERVE_NETNS) && arg.netns_fd)
		return -EINVAL;
	if (!cidreg_label_valid(arg.label, sizeof(arg.label)))
		return -EINVAL;
	req.cid = arg.cid;
	cidreg_setting_range(&req.min, &req.max);
	req.min = arg.cid_min ?: req.min;
	req.max = arg.cid_max ?: req.max;
	req.lease = arg.flags & VSOCK_CIDREG_RESERVE_PERSISTENT ? NULL : cf;
	req.label = arg.label;

	net = cidreg_target_net(arg.flags & VSOCK_CIDREG_RESERVE_NETNS,
				arg.netns_fd);
	if (IS_ERR(net))
		return PTR_ERR(net);
	req.net = net;
	err = cidreg_reserve(&req, &arg.cid);
	if (!err) {
		err = cidreg_copy_out(uarg, &arg, sizeof(arg), usize);
		/* The caller cannot learn the CID: do not keep it. */
		if (err)
			cidreg_release(arg.cid, net);
	}
	put_net(net);
	return err;
}

#define CIDREG_RELEASE_FLAGS (VSOCK_CIDREG_RELEASE_ALL | \
			      VSOCK_CIDREG_RELEASE_NETNS | \
			      VSOCK_CIDREG_RELEASE_EVERY_NETNS)

static int cidreg_ioctl_release(void __user *uarg)
{
	struct vsock_cidreg_release arg;
	struct net *net;
	u32 usize;
	int err;

	err = cidreg_copy_in(&arg, sizeof(arg), VSOCK_CIDREG_RELEASE_SIZE_VER0,
			     uarg, &usize);
	if (err)
		return err;
	if ((arg.flags & ~CIDREG_RELEASE_FLAGS) || arg.reserved || arg.count)
		return -EINVAL;

	if (!(arg.flags & VSOCK_CIDREG_RELEASE_ALL)) {
		/* With RELEASE_NETNS: the CID in the space of that netns. */
		if ((arg.flags & ~VSOCK_CIDREG_RELEASE_NETNS) ||
		    (!arg.flags && arg.netns_fd))
			return -EINVAL;
		net = cidreg_target_net(arg.flags & VSOCK_CIDREG_RELEASE_NETNS,
					arg.netns_fd);
		if (IS_ERR(net))
			return PTR_ERR(net);
		err = cidreg_release(arg.cid, net);
		put_net(net);
		if (err)
			return err;
		arg.count = 1;
	} else if (arg.flags & VSOCK_CIDREG_RELEASE_EVERY_NETNS) {
		if (arg.cid || arg.netns_fd ||
		    (arg.flags & VSOCK_CIDREG_RELEASE_NETNS))
			return -EINVAL;
		if (!cidreg_may_admin_all())
			return -EPERM;
		arg.count = cidreg_release_all(NULL);
	} else {
		if (arg.cid || (!(arg.flags & VSOCK_CIDREG_RELEASE_NETNS) &&
				arg.netns_fd))
			return -EINVAL;
		net = cidreg_target_net(arg.flags & VSOCK_CIDREG_RELEASE_NETNS,
					arg.netns_fd);
		if (IS_ERR(net))
			return PTR_ERR(net);
		arg.count = cidreg_release_all(net);
		put_net(net);
	}
	return cidreg_copy_out(uarg, &arg, sizeof(arg), usize);
}

static int cidreg_ioctl_query(void __user *uarg)
{
	struct vsock_cidreg_entry arg;
	u32 usize, cid;
	int err;

	err = cidreg_copy_in(&arg, sizeof(arg), VSOCK_CIDREG_ENTRY_SIZE_VER0,
			     uarg, &usize);
	if (err)
		return err;
	if (arg.flags)
		return -EINVAL;
	cid = arg.cid;
	memset(&arg, 0, sizeof(arg));
	arg.size = usize;
	err = cidreg_query(cid, &(struct cidreg_viewer){
				.net = current->nsproxy->net_ns,
				.admin = capable(CAP_NET_ADMIN),
			   }, &arg);
	if (err)
		return err;
	return cidreg_copy_out(uarg, &arg, sizeof(arg), usize);
}

static int cidreg_ioctl_transfer(void __user *uarg)
{
	struct vsock_cidreg_transfer arg;
	struct net *net;
	u32 usize;
	int err;

	err = cidreg_copy_in(&arg, sizeof(arg), VSOCK_CIDREG_TRANSFER_SIZE_VER0,
			     uarg, &usize);
	if (err)
		return err;
	if (arg.flags & ~VSOCK_CIDREG_TRANSFER_PERSISTENT)
		return -EINVAL;
	net = cidreg_target_net(true, arg.netns_fd);
	if (IS_ERR(net))
		return PTR_ERR(net);
	err = cidreg_transfer(arg.cid, current->nsproxy->net_ns, net,
			      arg.flags & VSOCK_CIDREG_TRANSFER_PERSISTENT);
	put_net(net);
	return err;
}

static int cidreg_ioctl_trust(void __user *uarg)
{
	struct vsock_cidreg_trust arg;
	struct net *net;
	u32 usize;
	int err;

	err = cidreg_copy_in(&arg, sizeof(arg), VSOCK_CIDREG_TRUST_SIZE_VER0,
			     uarg, &usize);
	if (err)
		return err;
	if ((arg.flags & ~VSOCK_CIDREG_TRUST_REMOVE) || arg.reserved)
		return -EINVAL;
	if (!capable(CAP_NET_ADMIN) ||
	    !cidreg_may_configure(current->nsproxy->net_ns,
				  capable(CAP_SYS_ADMIN)))
		return -EPERM;
	net = get_net_ns_by_fd(arg.netns_fd);
	if (IS_ERR(net))
		return PTR_ERR(net);
	err = cidreg_settings_trust(net,
				    !(arg.flags & VSOCK_CIDREG_TRUST_REMOVE));
	put_net(net);
	return err;
}

static int cidreg_ioctl_stats(void __user *uarg)
{
	struct vsock_cidreg_stats arg;
	u32 usize;
	int err;

	err = cidreg_copy_in(&arg, sizeof(arg), VSOCK_CIDREG_STATS_SIZE_VER0,
			     uarg, &usize);
	if (err)
		return err;
	if (arg.flags)
		return -EINVAL;
	memset(&arg, 0, sizeof(arg));
	arg.size = usize;
	cidreg_stats_read(&arg);
	return cidreg_copy_out(uarg, &arg, sizeof(arg), usize);
}

/* Matches an ioctl on its type, number and direction, not its size. */
static bool cidreg_cmd_is(unsigned int cmd, unsigned int known)
{
	return (cmd & ~IOCSIZE_MASK) == (known & ~IOCSIZE_MASK);
}

static long cidreg_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (cidreg_cmd_is(cmd, VSOCK_CIDREG_IOC_RESERVE))
		return cidreg_ioctl_reserve(file->private_data, uarg);
	if (cidreg_cmd_is(cmd, VSOCK_CIDREG_IOC_RELEASE))
		return cidreg_ioctl_release(uarg);
	if (cidreg_cmd_is(cmd, VSOCK_CIDREG_IOC_QUERY))
		return cidreg_ioctl_query(uarg);
	if (cidreg_cmd_is(cmd, VSOCK_CIDREG_IOC_TRANSFER))
		return cidreg_ioctl_transfer(uarg);
	if (cidreg_cmd_is(cmd, VSOCK_CIDREG_IOC_TRUST))
		return cidreg_ioctl_trust(uarg);
	if (cidreg_cmd_is(cmd, VSOCK_CIDREG_IOC_STATS))
		return cidreg_ioctl_stats(uarg);
	return -ENOTTY;
}

static int cidreg_open(struct inode *inode, struct file *file)
{
	struct cidreg_file *cf = kzalloc(sizeof(*cf), GFP_KERNEL);

	if (!cf)
		return -ENOMEM;
	INIT_LIST_HEAD(&cf->leases);
	file->private_data = cf;
	return nonseekable_open(inode, file);
}

/* The last fd of the open file description is gone: so are its leases. */
static int cidreg_release_fd(struct inode *inode, struct file *file)
{
	struct cidreg_file *cf = file->private_data;

	cidreg_release_file(cf);
	kfree(cf);
	return 0;
}

static const struct file_operations cidreg_fops = {
	.owner		= THIS_MODULE,
	.open		= cidreg_open,
	.release	= cidreg_release_fd,
	.unlocked_ioctl	= cidreg_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/* Root only by default: a device plugin may hand the node to pods. */
static struct miscdevice cidreg_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= VSOCK_CIDREG_DEVICE,
	.fops	= &cidreg_fops,
	.mode	= 0600,
};

/**
 * cidreg_chardev_init() - register /dev/vsock-cidreg.
 *
 * Return: 0 or a negative errno from misc_register().
 */
int cidreg_chardev_init(void)
{
	return misc_register(&cidreg_misc);
}

/**
 * cidreg_chardev_exit() - unregister /dev/vsock-cidreg.
 */
void cidreg_chardev_exit(void)
{
	misc_deregister(&cidreg_misc);
}
