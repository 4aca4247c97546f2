// SPDX-License-Identifier: GPL-2.0
/*
 * vsock_cidreg: a registry of vsock CIDs owned by network namespaces.
 *
 * This file holds the registry's module parameters (enforce.c has those
 * of enforcement) and registers and unregisters the parts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "chardev.h"
#include "enforce.h"
#include "hooks.h"
#include "netlink.h"
#include "netns.h"
#include "registry.h"

module_param_named(cid_min, cidreg_cid_min, uint, 0644);
MODULE_PARM_DESC(cid_min, "Lowest CID handed out by any-CID reservations (default 3)");
module_param_named(cid_max, cidreg_cid_max, uint, 0644);
MODULE_PARM_DESC(cid_max, "Highest CID handed out by any-CID reservations (default 4294967294)");
module_param_named(quota, cidreg_quota, uint, 0644);
MODULE_PARM_DESC(quota, "Reservations a network namespace may hold; 0: no limit (default 256)");

static int __init vsock_cidreg_init(void)
{
	int err;

	err = cidreg_netns_init();
	if (err)
		goto fail;
	err = cidreg_netlink_init();
	if (err)
		goto fail_netns;
	err = cidreg_hooks_init();
	if (err)
		goto fail_netlink;
	err = cidreg_chardev_init();
	if (err)
		goto fail_hooks;
	pr_info("version %s loaded\n", VSOCK_CIDREG_VERSION);
	return 0;

fail_hooks:
	cidreg_hooks_exit();
fail_netlink:
	cidreg_netlink_exit();
fail_netns:
	cidreg_enforce_exit();
	cidreg_netns_exit();
fail:
	pr_err("cannot load: %d\n", err);
	return err;
}

static void __exit vsock_cidreg_exit(void)
{
	cidreg_chardev_exit();
	cidreg_hooks_exit();
	cidreg_netns_exit();
	cidreg_netlink_exit();
	cidreg_registry_exit();
	cidreg_enforce_exit();
	pr_info("unloaded\n");
}

module_init(vsock_cidreg_init);
module_exit(vsock_cidreg_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Registry of vsock CIDs owned by network namespaces");
MODULE_AUTHOR("The vsock-cidreg authors");
MODULE_VERSION(VSOCK_CIDREG_VERSION);
