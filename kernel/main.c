// SPDX-License-Identifier: GPL-2.0
/*
 * vsock_cidreg: a registry of vsock CIDs owned by network namespaces.
 *
 * This file only registers and unregisters the parts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "chardev.h"

static int __init vsock_cidreg_init(void)
{
	int err;

	err = cidreg_chardev_init();
	if (err) {
		pr_err("cannot register /dev/vsock-cidreg: %d\n", err);
		return err;
	}
	pr_info("version %s loaded\n", VSOCK_CIDREG_VERSION);
	return 0;
}

static void __exit vsock_cidreg_exit(void)
{
	cidreg_chardev_exit();
	pr_info("unloaded\n");
}

module_init(vsock_cidreg_init);
module_exit(vsock_cidreg_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Registry of vsock CIDs owned by network namespaces");
MODULE_AUTHOR("The vsock-cidreg authors");
MODULE_VERSION(VSOCK_CIDREG_VERSION);
