// SPDX-License-Identifier: GPL-2.0
/*
 * A test module standing for another ftrace user that modifies a function
 * vsock_cidreg hooks (a livepatch, say): it takes the function named by
 * its parameter "target" ("module:symbol") with an IPMODIFY ftrace_ops,
 * now if that module is loaded, else when it comes (its module notifier
 * runs before vsock_cidreg's). The function still runs unchanged: the ops
 * only holds the IPMODIFY right, so vsock_cidreg's hook gets EBUSY.
 *
 * Built and loaded by the VM suite only; never installed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "compat.h"

static char *target = "vhost_vsock:vhost_vsock_dev_ioctl";
module_param(target, charp, 0444);
MODULE_PARM_DESC(target, "module:symbol to take");

static DEFINE_MUTEX(blocker_lock);
static bool blocker_held;

static void notrace blocker_thunk(unsigned long ip, unsigned long parent_ip,
				  struct ftrace_ops *ops,
				  struct cidreg_ftrace_regs *regs)
{
}

static struct ftrace_ops blocker_ops = {
	.func = blocker_thunk,
	.flags = CIDREG_FTRACE_OPS_FL_REGS | CIDREG_FTRACE_OPS_FL_RECURSION |
		 FTRACE_OPS_FL_IPMODIFY,
};

static void blocker_take(void)
{
	struct kprobe kp = { .symbol_name = target };
	int err;

	if (blocker_held || register_kprobe(&kp))
		return;
	unregister_kprobe(&kp);
	err = ftrace_set_filter_ip(&blocker_ops, (unsigned long)kp.addr, 0, 1);
	if (!err)
		err = register_ftrace_function(&blocker_ops);
	if (err) {
		pr_err("cannot take %s: %d\n", target, err);
		return;
	}
	blocker_held = true;
	pr_info("took %s\n", target);
}

static void blocker_drop(void)
{
	if (!blocker_held)
		return;
	unregister_ftrace_function(&blocker_ops);
	blocker_held = false;
	pr_info("dropped %s\n", target);
}

static bool blocker_is_target(const char *module)
{
	size_t n = strcspn(target, ":");

	return strlen(module) == n && !strncmp(module, target, n);
}

static int blocker_notify(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	struct module *mod = data;

	if (!blocker_is_target(mod->name))
		return NOTIFY_DONE;
	mutex_lock(&blocker_lock);
	if (action == MODULE_STATE_COMING)
		blocker_take();
	else if (action == MODULE_STATE_GOING)
		blocker_drop();
	mutex_unlock(&blocker_lock);
	return NOTIFY_OK;
}

static struct notifier_block blocker_nb = {
	.notifier_call = blocker_notify,
	.priority = INT_MAX,
};

static int __init blocker_init(void)
{
	int err = register_module_notifier(&blocker_nb);

	if (err)
		return err;
	mutex_lock(&blocker_lock);
	blocker_take();
	mutex_unlock(&blocker_lock);
	return 0;
}

static void __exit blocker_exit(void)
{
	unregister_module_notifier(&blocker_nb);
	mutex_lock(&blocker_lock);
	blocker_drop();
	mutex_unlock(&blocker_lock);
	cidreg_ftrace_free_filter(&blocker_ops);
}

module_init(blocker_init);
module_exit(blocker_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vsock-cidreg test: holds IPMODIFY on a function");
