// SPDX-License-Identifier: GPL-2.0
/*
 * The hook layer: what the module needs from vsock and vhost_vsock, which
 * may load after us and unload under us.
 *
 * Functions are resolved with one kprobe per "module:symbol"
 * (kallsyms_lookup_name is not exported) at our init and when their
 * module comes, and forgotten when it goes. Some are only called
 * (cidreg_vhost_holds(), cidreg_cid_is_local()); the others are hooked:
 * an ftrace_ops with FTRACE_OPS_FL_IPMODIFY redirects the function to a
 * wrapper of enforce.c, which runs in the caller's context and calls the
 * original (the callback lets calls made from this module through).
 *
 * Teardown: a wrapper runs inside cidreg_hook_srcu; unhooking waits for
 * tasks between the trampoline and srcu_read_lock() (and after
 * srcu_read_unlock()) with synchronize_rcu_tasks(), and for the wrappers
 * themselves with synchronize_srcu().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/srcu.h>

#include "compat.h"
#include "enforce.h"
#include "hooks.h"

struct vhost_vsock;

/**
 * struct cidreg_hook - one function of another module that we need.
 * @module: the module that has it.
 * @name: "module:symbol", as kprobes take it.
 * @addr: where the resolved address is published (NULL while the module
 *	is absent); the function is called through it.
 * @wrapper: the function that replaces it, or NULL if only called.
 * @ops: the ftrace_ops that redirects it to @wrapper.
 * @ip: the address @ops filters on, while @hooked.
 * @hooked: @ops is registered.
 */
struct cidreg_hook {
	const char *module;
	const char *name;
	void **addr;
	void *wrapper;
	struct ftrace_ops ops;
	unsigned long ip;
	bool hooked;
};

static void notrace cidreg_ftrace_thunk(unsigned long ip,
					unsigned long parent_ip,
					struct ftrace_ops *ops,
					struct ftrace_regs *fregs);

static struct vhost_vsock *(*vhost_vsock_get_fn)(u32 guest_cid);

cidreg_find_cid_t cidreg_orig_find_cid;
cidreg_bind_t cidreg_orig_bind;
cidreg_assign_transport_t cidreg_orig_assign_transport;
cidreg_vhost_ioctl_t cidreg_orig_vhost_ioctl;
cidreg_vhost_release_t cidreg_orig_vhost_release;

#define CIDREG_HOOK(mod, name_, fn, wrap) \
	{ .module = mod, .name = name_, .addr = (void **)&(fn), \
	  .wrapper = wrap, .ops = { \
		.func = cidreg_ftrace_thunk, \
		.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_RECURSION | \
			 FTRACE_OPS_FL_IPMODIFY, \
	  } }

static struct cidreg_hook cidreg_hooks[] = {
	CIDREG_HOOK("vsock", "vsock:vsock_find_cid", cidreg_orig_find_cid,
		    cidreg_find_cid_wrapper),
	CIDREG_HOOK("vsock", "vsock:__vsock_bind", cidreg_orig_bind,
		    cidreg_bind_wrapper),
	CIDREG_HOOK("vsock", "vsock:vsock_assign_transport",
		    cidreg_orig_assign_transport,
		    cidreg_assign_transport_wrapper),
	CIDREG_HOOK("vhost_vsock", "vhost_vsock:vhost_vsock_get",
		    vhost_vsock_get_fn,
		    NULL),
	CIDREG_HOOK("vhost_vsock", "vhost_vsock:vhost_vsock_dev_ioctl",
		    cidreg_orig_vhost_ioctl, cidreg_vhost_ioctl_wrapper),
	CIDREG_HOOK("vhost_vsock", "vhost_vsock:vhost_vsock_dev_release",
		    cidreg_orig_vhost_release, cidreg_vhost_release_wrapper),
};

static const char * const cidreg_modules[] = { "vsock", "vhost_vsock" };

/* Serialises hooking with unhooking, so a going module's hooks never stay. */
static DEFINE_MUTEX(cidreg_hooks_lock);
/* Keeps this module's wrappers, and called functions, alive while used. */
DEFINE_STATIC_SRCU(cidreg_hook_srcu);

/**
 * cidreg_hook_enter() - mark the start of a wrapper or of a call through
 *	a resolved address.
 *
 * Return: the cookie for cidreg_hook_exit().
 */
int cidreg_hook_enter(void)
	__acquires(&cidreg_hook_srcu)
{
	return srcu_read_lock(&cidreg_hook_srcu);
}

/**
 * cidreg_hook_exit() - mark the end of a wrapper.
 * @idx: what cidreg_hook_enter() returned.
 */
void cidreg_hook_exit(int idx)
	__releases(&cidreg_hook_srcu)
{
	srcu_read_unlock(&cidreg_hook_srcu, idx);
}

static void *cidreg_resolve(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	void *addr;

	if (register_kprobe(&kp))
		return NULL;
	addr = cidreg_func_entry(kp.addr);
	unregister_kprobe(&kp);
	return addr;
}

static void notrace cidreg_ftrace_thunk(unsigned long ip,
					unsigned long parent_ip,
					struct ftrace_ops *ops,
					struct ftrace_regs *fregs)
{
	struct cidreg_hook *h = container_of(ops, struct cidreg_hook, ops);

	/* The wrapper's own call of the original goes through. */
	if (!within_module(parent_ip, THIS_MODULE))
		cidreg_ftrace_set_ip(fregs, (unsigned long)h->wrapper);
}

static int cidreg_hook_install(struct cidreg_hook *h, void *addr)
{
	int err;

	h->ip = (unsigned long)addr;
	err = ftrace_set_filter_ip(&h->ops, h->ip, 0, 1);
	if (err)
		return err;
	err = register_ftrace_function(&h->ops);
	if (err) {
		ftrace_set_filter_ip(&h->ops, h->ip, 1, 0);
		return err;
	}
	h->hooked = true;
	return 0;
}

/* The filter stays allocated (empty) until cidreg_hooks_exit(). */
static void cidreg_hook_remove(struct cidreg_hook *h)
{
	if (!h->hooked)
		return;
	unregister_ftrace_function(&h->ops);
	ftrace_set_filter_ip(&h->ops, h->ip, 1, 0);
	h->hooked = false;
}

static void cidreg_unhook_module_locked(const char *module)
{
	bool any = false;
	int i;

	for (i = 0; i < ARRAY_SIZE(cidreg_hooks); i++) {
		struct cidreg_hook *h = &cidreg_hooks[i];

		if (strcmp(h->module, module) || !READ_ONCE(*h->addr))
			continue;
		cidreg_hook_remove(h);
		/* Callers of a called-only function check for NULL. */
		if (!h->wrapper)
			WRITE_ONCE(*h->addr, NULL);
		any = true;
	}
	if (!any)
		return;
	/* Tasks between the trampoline and a wrapper's srcu_read_lock()... */
	synchronize_rcu_tasks();
	/* ...the wrappers and calls through a resolved address... */
	synchronize_srcu(&cidreg_hook_srcu);
	/* ...and tasks between srcu_read_unlock() and the return. */
	synchronize_rcu_tasks();
	/* No wrapper runs: their originals may go. */
	for (i = 0; i < ARRAY_SIZE(cidreg_hooks); i++)
		if (!strcmp(cidreg_hooks[i].module, module))
			WRITE_ONCE(*cidreg_hooks[i].addr, NULL);
}

/*
 * Resolves and hooks everything of @module. Returns 0; -ENOENT if none of
 * its functions resolve (it is not loaded); -ENXIO if only some do; else
 * the errno of ftrace. On error nothing of @module is left hooked.
 */
static int cidreg_hook_module_locked(const char *module)
{
	void *addrs[ARRAY_SIZE(cidreg_hooks)] = {};
	int i, found = 0, err = 0;

	for (i = 0; i < ARRAY_SIZE(cidreg_hooks); i++) {
		if (strcmp(cidreg_hooks[i].module, module))
			continue;
		/* Came while our init ran: hooked already. */
		if (READ_ONCE(*cidreg_hooks[i].addr))
			return 0;
		addrs[i] = cidreg_resolve(cidreg_hooks[i].name);
		if (addrs[i])
			found++;
	}
	if (!found)
		return -ENOENT;

	for (i = 0; i < ARRAY_SIZE(cidreg_hooks); i++) {
		struct cidreg_hook *h = &cidreg_hooks[i];

		if (strcmp(h->module, module))
			continue;
		if (!addrs[i]) {
			pr_err("cannot find %s\n", h->name);
			err = -ENXIO;
			continue;
		}
		if (err)
			continue;
		/* Published first: a wrapper calls the original through it. */
		WRITE_ONCE(*h->addr, addrs[i]);
		if (h->wrapper) {
			err = cidreg_hook_install(h, addrs[i]);
			if (err)
				pr_err("cannot hook %s: %d%s\n", h->name, err,
				       err == -EBUSY ?
				       " (another ftrace user, e.g. a livepatch, modifies it)" :
				       "");
		}
	}
	if (err)
		cidreg_unhook_module_locked(module);
	return err;
}

static bool cidreg_is_target(const char *module)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(cidreg_modules); i++)
		if (!strcmp(cidreg_modules[i], module))
			return true;
	return false;
}

static int cidreg_module_notify(struct notifier_block *nb,
				unsigned long action, void *data)
{
	struct module *mod = data;

	if (!cidreg_is_target(mod->name))
		return NOTIFY_DONE;

	mutex_lock(&cidreg_hooks_lock);
	switch (action) {
	case MODULE_STATE_COMING:
		/* Enforcement stays off for it, but it may load. */
		if (cidreg_hook_module_locked(mod->name))
			pr_err("%s: not enforced: cannot hook it\n", mod->name);
		break;
	case MODULE_STATE_GOING:
		cidreg_unhook_module_locked(mod->name);
		break;
	}
	mutex_unlock(&cidreg_hooks_lock);
	return NOTIFY_OK;
}

static struct notifier_block cidreg_module_nb = {
	.notifier_call = cidreg_module_notify,
};

/**
 * cidreg_vhost_holds() - whether a vhost-vsock device holds a CID.
 * @cid: the guest CID.
 *
 * Return: true if a live /dev/vhost-vsock device has @cid as its guest CID
 * (even one set before this module loaded).
 */
bool cidreg_vhost_holds(u32 cid)
{
	struct vhost_vsock *(*get)(u32 guest_cid);
	bool held = false;
	int idx;

	idx = cidreg_hook_enter();
	get = READ_ONCE(vhost_vsock_get_fn);
	if (get) {
		/* vhost_vsock_get() walks an RCU hash table. */
		rcu_read_lock();
		held = get(cid);
		rcu_read_unlock();
	}
	cidreg_hook_exit(idx);
	return held;
}

/**
 * cidreg_cid_is_local() - whether a CID is one of this host's own.
 * @cid: the CID.
 *
 * May sleep (vsock_find_cid() takes vsock_register_mutex).
 *
 * Return: true for the host's guest-to-host CID (when the host is itself
 * a guest) and the well-known CIDs vsock serves locally.
 */
bool cidreg_cid_is_local(u32 cid)
{
	cidreg_find_cid_t find;
	bool local = false;
	int idx;

	might_sleep();
	idx = cidreg_hook_enter();
	find = READ_ONCE(cidreg_orig_find_cid);
	if (find)
		local = find(cid);	/* from here: not redirected */
	cidreg_hook_exit(idx);
	return local;
}

/**
 * cidreg_hooks_init() - hook vsock and vhost_vsock, now and when they load.
 *
 * Return: 0, or a negative errno if a loaded target cannot be hooked
 * (a function missing, or modified by another ftrace user).
 */
int cidreg_hooks_init(void)
{
	int err, i;

	err = register_module_notifier(&cidreg_module_nb);
	if (err)
		return err;
	mutex_lock(&cidreg_hooks_lock);
	for (i = 0; i < ARRAY_SIZE(cidreg_modules); i++) {
		const char *module = cidreg_modules[i];

		err = cidreg_hook_module_locked(module);
		if (err == -ENOENT) {
			/* Not loaded: the notifier hooks it when it comes. */
			err = 0;
		} else if (err) {
			pr_err("cannot hook %s: refusing to load\n", module);
			break;
		}
	}
	mutex_unlock(&cidreg_hooks_lock);
	if (err)
		cidreg_hooks_exit();
	return err;
}

/**
 * cidreg_hooks_exit() - unhook everything; no wrapper runs once it returns.
 */
void cidreg_hooks_exit(void)
{
	int i;

	unregister_module_notifier(&cidreg_module_nb);
	mutex_lock(&cidreg_hooks_lock);
	for (i = 0; i < ARRAY_SIZE(cidreg_modules); i++)
		cidreg_unhook_module_locked(cidreg_modules[i]);
	for (i = 0; i < ARRAY_SIZE(cidreg_hooks); i++)
		if (cidreg_hooks[i].wrapper)
			ftrace_free_filter(&cidreg_hooks[i].ops);
	mutex_unlock(&cidreg_hooks_lock);
}
