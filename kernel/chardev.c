// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vsock-cidreg: the misc device through which CIDs are reserved.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/vsock_cidreg.h>

#include "chardev.h"

static long cidreg_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	return -ENOTTY;
}

static const struct file_operations cidreg_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= cidreg_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
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
