// SPDX-License-Identifier: GPL-2.0
/*
 * vsock_cidreg: a registry of vsock CIDs owned by network namespaces.
 *
 * This file registers and unregisters the parts, bottom up: per-netns
 * state, the netlink family (which events go through), the registry,
 * enforcement (the hooks), the device. settings.c has the parameters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "chardev.h"
#include "enforce.h"
#include "netlink.h"
#include "netns.h"
#include "registry.h"
#include "settings.h"

static int __init vsock_cidreg_init(void)
{
	int err;

	err = cidreg_netns_init();
	if (err)
		goto fail;
	err = cidreg_netlink_init();
	if (err)
		goto fail_netns;
	err = cidreg_registry_init();
	if (err)
		goto fail_netlink;
	err = cidreg_enforce_init();
	if (err)
		goto fail_registry;
	err = cidreg_chardev_init();
	if (err)
		goto fail_enforce;
	pr_info("version %s loaded\n", VSOCK_CIDREG_VERSION);
	return 0;

fail_enforce:
	cidreg_enforce_exit();
fail_registry:
	cidreg_registry_exit();
fail_netlink:
	cidreg_netlink_exit();
fail_netns:
	cidreg_netns_exit();
fail:
	cidreg_settings_exit();
	pr_err("cannot load: %d\n", err);
	return err;
}

static void __exit vsock_cidreg_exit(void)
{
	cidreg_chardev_exit();
	cidreg_enforce_exit();
	cidreg_registry_exit();
	cidreg_netlink_exit();
	cidreg_netns_exit();
	cidreg_settings_exit();
	pr_info("unloaded\n");
}

module_init(vsock_cidreg_init);
module_exit(vsock_cidreg_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Registry of vsock CIDs owned by network namespaces");
MODULE_AUTHOR("The vsock-cidreg authors");
MODULE_VERSION(VSOCK_CIDREG_VERSION);
