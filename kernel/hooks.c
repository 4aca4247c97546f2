// SPDX-License-Identifier: GPL-2.0
/*
 * The hook layer: what the module needs from vsock and vhost_vsock, which
 * may load after us and unload under us.
 *
 * Functions are resolved with one kprobe per "module:symbol"
 * (kallsyms_lookup_name is not exported) at our init and when their
 * module comes, and forgotten when it goes. Some are only called
 * (cidreg_vhost_holds(), cidreg_cid_is_local()); the others are hooked:
 * an ftrace_ops with FTRACE_OPS_FL_IPMODIFY redirects the function to the
 * wrapper given to cidreg_hooks_init() (enforcement's), which runs in the
 * caller's context and calls the original (the callback lets calls made
 * from this module through).
 *
 * Fail-closed: a hook is proven when it is placed (cidreg_hook_verify()),
 * and a vsock or vhost_vsock that cannot be hooked does not load (the
 * module notifier fails its load) unless mode=off; while one runs
 * unhooked under mode=off, it pins the mode to off (settings.c).
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
#include "hooks.h"
#include "settings.h"

/* What status shows of each hook (its "module:symbol" and this word). */
enum cidreg_hook_state {
	CIDREG_HOOK_ABSENT,	/* its module is not loaded */
	CIDREG_HOOK_RESOLVED,	/* only called: its address is known */
	CIDREG_HOOK_PLACED,	/* redirected; proven on the canary */
	CIDREG_HOOK_VERIFIED,	/* redirected; proven through itself */
	CIDREG_HOOK_MISSING,	/* its module runs unhooked (mode=off) */
};

static const char * const cidreg_hook_state_names[] = {
	[CIDREG_HOOK_ABSENT] = "absent",
	[CIDREG_HOOK_RESOLVED] = "resolved",
	[CIDREG_HOOK_PLACED] = "placed",
	[CIDREG_HOOK_VERIFIED] = "verified",
	[CIDREG_HOOK_MISSING] = "missing",
};

/**
 * struct cidreg_hook - one function of another module that we need.
 * @module: the module that has it.
 * @name: "module:symbol", as kprobes take it.
 * @addr: where the resolved address is published (NULL while the module
 *	is absent); the function is called through it.
 * @wrap: where its wrapper is in struct cidreg_wrappers, if @wrapped.
 * @wrapped: it is hooked; else only called.
 * @wrapper: the function that replaces it (set by cidreg_hooks_init()).
 * @ops: the ftrace_ops that redirects it to @wrapper.
 * @ip: the address @ops filters on, while @hooked.
 * @hooked: @ops is registered.
 * @probe: calls the function with arguments that are harmless should
 *	it run, to prove the redirection through the function itself;
 *	NULL where no call is harmless (the canary proves the mechanism).
 * @state: what status shows of it.
 */
struct cidreg_hook {
	const char *module;
	const char *name;
	void **addr;
	size_t wrap;
	bool wrapped;
	void *wrapper;
	struct ftrace_ops ops;
	unsigned long ip;
	bool hooked;
	void (*probe)(void *addr);
	enum cidreg_hook_state state;
};

static void notrace cidreg_ftrace_thunk(unsigned long ip,
					unsigned long parent_ip,
					struct ftrace_ops *ops,
					struct cidreg_ftrace_regs *fregs);

static cidreg_vhost_get_t vhost_vsock_get_fn;

cidreg_find_cid_t cidreg_orig_find_cid;
cidreg_bind_t cidreg_orig_bind;
cidreg_assign_transport_t cidreg_orig_assign_transport;
cidreg_vhost_ioctl_t cidreg_orig_vhost_ioctl;
cidreg_vhost_release_t cidreg_orig_vhost_release;
cidreg_vhost_open_t cidreg_orig_vhost_open;

static void cidreg_probe_find_cid(void *addr)
{
	((cidreg_find_cid_t)addr)(VMADDR_CID_ANY);
}

#define CIDREG_OPS { \
		.func = cidreg_ftrace_thunk, \
		.flags = CIDREG_FTRACE_OPS_FL_REGS | CIDREG_FTRACE_OPS_FL_RECURSION | \
			 FTRACE_OPS_FL_IPMODIFY, \
	}

#define CIDREG_HOOK_PROBED(mod, name_, fn, field, probe_) \
	{ .module = mod, .name = name_, .addr = (void **)&(fn), \
	  .wrap = offsetof(struct cidreg_wrappers, field), .wrapped = true, \
	  .ops = CIDREG_OPS, .probe = probe_ }
#define CIDREG_HOOK(mod, name_, fn, field) \
	CIDREG_HOOK_PROBED(mod, name_, fn, field, NULL)
#define CIDREG_CALLED(mod, name_, fn) \
	{ .module = mod, .name = name_, .addr = (void **)&(fn) }

static struct cidreg_hook cidreg_hooks[] = {
	CIDREG_HOOK_PROBED("vsock", "vsock:vsock_find_cid",
			   cidreg_orig_find_cid, find_cid,
			   cidreg_probe_find_cid),
	CIDREG_HOOK("vsock", "vsock:__vsock_bind", cidreg_orig_bind, bind),
	CIDREG_HOOK("vsock", "vsock:vsock_assign_transport",
		    cidreg_orig_assign_transport, assign_transport),
	CIDREG_CALLED("vhost_vsock", "vhost_vsock:vhost_vsock_get",
		      vhost_vsock_get_fn),
	CIDREG_HOOK("vhost_vsock", "vhost_vsock:vhost_vsock_dev_ioctl",
		    cidreg_orig_vhost_ioctl, vhost_ioctl),
	CIDREG_HOOK("vhost_vsock", "vhost_vsock:vhost_vsock_dev_release",
		    cidreg_orig_vhost_release, vhost_release),
#ifdef CIDREG_VSOCK_NETNS
	/* A device's netns is the opener's (7.0+). */
	CIDREG_HOOK("vhost_vsock", "vhost_vsock:vhost_vsock_dev_open",
		    cidreg_orig_vhost_open, vhost_open),
#endif
};

static const char * const cidreg_modules[] = { "vsock", "vhost_vsock" };
/* Which of cidreg_modules runs unhooked, pinning the mode to off. */
static bool cidreg_modules_missing[ARRAY_SIZE(cidreg_modules)];

/* Serialises hooking with unhooking, so a going module's hooks never stay. */
static DEFINE_MUTEX(cidreg_hooks_mutex);
/* Keeps this module's wrappers, and called functions, alive while used. */
/*
 * Set up by cidreg_hooks_init() rather than DEFINE_STATIC_SRCU(), whose
 * module variant leaves a global pointer behind up to 5.10.
 */
static struct srcu_struct cidreg_hook_srcu;

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

/*
 * While a hook is proven, calls by the proving task (and only those) go to
 * cidreg_landing(), which counts them and returns 0: the hooked function
 * itself never runs, whatever its arguments.
 */
static struct task_struct *cidreg_proving;
static atomic_t cidreg_landings;

static noinline unsigned long cidreg_landing(void)
{
	atomic_inc(&cidreg_landings);
	return 0;
}

static void notrace cidreg_ftrace_thunk(unsigned long ip,
					unsigned long parent_ip,
					struct ftrace_ops *ops,
					struct cidreg_ftrace_regs *fregs)
{
	struct cidreg_hook *h = container_of(ops, struct cidreg_hook, ops);

	if (unlikely(READ_ONCE(cidreg_proving) == current))
		cidreg_ftrace_set_ip(fregs, (unsigned long)cidreg_landing);
	/* The wrapper's own call of the original goes through. */
	else if (!within_module(parent_ip, THIS_MODULE))
		cidreg_ftrace_set_ip(fregs, (unsigned long)h->wrapper);
}

/*
 * The canary: a function of ours, hooked as the others are, whose call
 * shows that this kernel and architecture really move the instruction
 * pointer (arm64 without DYNAMIC_FTRACE_WITH_ARGS, for one, ignores it).
 */
static noinline bool cidreg_canary(unsigned int cid)
{
	/* Keeps the call from being folded away. */
	barrier();
	return cid == VMADDR_CID_ANY;
}

static void cidreg_probe_canary(void *addr)
{
	((bool (*)(unsigned int))addr)(VMADDR_CID_ANY);
}

static struct cidreg_hook cidreg_canary_hook = {
	.module = KBUILD_MODNAME, .name = KBUILD_MODNAME ":cidreg_canary",
	.wrapped = true, .wrapper = cidreg_landing, .ops = CIDREG_OPS,
	.probe = cidreg_probe_canary,
};

/* Calls @h's probe with its calls sent to cidreg_landing(). */
static bool cidreg_hook_redirects(struct cidreg_hook *h)
{
	int before = atomic_read(&cidreg_landings);

	WRITE_ONCE(cidreg_proving, current);
	h->probe((void *)h->ip);
	WRITE_ONCE(cidreg_proving, NULL);
	return atomic_read(&cidreg_landings) != before;
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

/* Removing its one address empties the filter, which hands it back. */
static void cidreg_hook_remove(struct cidreg_hook *h)
{
	if (!h->hooked)
		return;
	unregister_ftrace_function(&h->ops);
	ftrace_set_filter_ip(&h->ops, h->ip, 1, 0);
	h->hooked = false;
}

/*
 * Places @h on @addr and proves it: through the function itself where a
 * harmless call exists, else by the canary, which cidreg_hooks_init()
 * proved with the same ops, flags and callback. -EOPNOTSUPP when the
 * call was not redirected.
 */
static int cidreg_hook_place(struct cidreg_hook *h, void *addr)
{
	int err;

	err = cidreg_hook_install(h, addr);
	if (err)
		return err;
	if (!h->probe) {
		h->state = CIDREG_HOOK_PLACED;
		return 0;
	}
	if (!cidreg_hook_redirects(h)) {
		cidreg_hook_remove(h);
		return -EOPNOTSUPP;
	}
	h->state = CIDREG_HOOK_VERIFIED;
	return 0;
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
		if (!h->wrapped)
			WRITE_ONCE(*h->addr, NULL);
		h->state = CIDREG_HOOK_ABSENT;
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

static int cidreg_module_index(const char *module)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(cidreg_modules); i++)
		if (!strcmp(cidreg_modules[i], module))
			return i;
	return -1;
}

static void cidreg_set_state_locked(const char *module,
				    enum cidreg_hook_state state)
{
	int i;

	lockdep_assert_held(&cidreg_hooks_mutex);
	for (i = 0; i < ARRAY_SIZE(cidreg_hooks); i++)
		if (!strcmp(cidreg_hooks[i].module, module))
			cidreg_hooks[i].state = state;
}

/*
 * Lets @module run unhooked if the mode is off, and keeps it off until
 * @module goes. Returns whether it may.
 */
static bool cidreg_let_missing_locked(const char *module)
{
	int m = cidreg_module_index(module);

	if (!cidreg_mode_pin_off())
		return false;
	cidreg_modules_missing[m] = true;
	cidreg_set_state_locked(module, CIDREG_HOOK_MISSING);
	return true;
}

/* @module, unhooked, goes: the mode is free again. */
static void cidreg_forget_missing_locked(const char *module)
{
	int m = cidreg_module_index(module);

	if (!cidreg_modules_missing[m])
		return;
	cidreg_modules_missing[m] = false;
	cidreg_set_state_locked(module, CIDREG_HOOK_ABSENT);
	cidreg_mode_unpin_off();
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
		if (!h->wrapped) {
			h->state = CIDREG_HOOK_RESOLVED;
			continue;
		}
		err = cidreg_hook_place(h, addrs[i]);
		if (err)
			pr_err("cannot hook %s: %d%s\n", h->name, err,
			       err == -EBUSY ?
			       " (another ftrace user, e.g. a livepatch, modifies it)" :
			       err == -EOPNOTSUPP ? " (calls to it were not redirected)" :
			       "");
	}
	if (err)
		cidreg_unhook_module_locked(module);
	return err;
}

static bool cidreg_is_target(const char *module)
{
	return cidreg_module_index(module) >= 0;
}

static int cidreg_module_notify(struct notifier_block *nb,
				unsigned long action, void *data)
{
	struct module *mod = data;
	int err = 0;

	if (!cidreg_is_target(mod->name))
		return NOTIFY_DONE;

	mutex_lock(&cidreg_hooks_mutex);
	switch (action) {
	case MODULE_STATE_COMING:
		err = cidreg_hook_module_locked(mod->name);
		if (!err)
			break;
		if (!cidreg_let_missing_locked(mod->name)) {
			pr_err("%s: refusing its load: it cannot be hooked and mode is not off\n",
			       mod->name);
			break;
		}
		/* mode=off enforces nothing: it may load, and shows missing. */
		pr_warn("%s: loads unhooked (mode=off); no other mode can be set until it is reloaded\n",
			mod->name);
		err = 0;
		break;
	case MODULE_STATE_GOING:
		cidreg_unhook_module_locked(mod->name);
		cidreg_forget_missing_locked(mod->name);
		break;
	}
	mutex_unlock(&cidreg_hooks_mutex);
	return notifier_from_errno(err);
}

static struct notifier_block cidreg_module_nb = {
	.notifier_call = cidreg_module_notify,
};

/**
 * cidreg_vhost_holds() - whether a vhost-vsock device holds a CID.
 * @cid: the guest CID.
 * @net: on 7.0+, where to look: NULL for the devices of global-mode
 *	namespaces, or a local-mode netns for its own devices.
 *
 * Return: true if a live /dev/vhost-vsock device has @cid as its guest CID
 * (even one set before this module loaded).
 */
bool cidreg_vhost_holds(u32 cid, struct net *net)
{
	cidreg_vhost_get_t get;
	bool held = false;
	int idx;

	idx = cidreg_hook_enter();
	get = READ_ONCE(vhost_vsock_get_fn);
	if (get) {
		/* vhost_vsock_get() walks an RCU hash table. */
		rcu_read_lock();
		held = cidreg_vhost_get(get, cid, net);
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

/* The read-only parameter "hooks": each hook and its state, a line each. */
static int cidreg_hooks_show(char *buf, const struct kernel_param *kp)
{
	int i, len = 0;

	mutex_lock(&cidreg_hooks_mutex);
	for (i = 0; i < ARRAY_SIZE(cidreg_hooks); i++)
		len += sysfs_emit_at(buf, len, "%s %s\n", cidreg_hooks[i].name,
				     cidreg_hook_state_names[cidreg_hooks[i].state]);
	mutex_unlock(&cidreg_hooks_mutex);
	return len;
}

static const struct kernel_param_ops cidreg_hooks_param_ops = {
	.get = cidreg_hooks_show,
};

module_param_cb(hooks, &cidreg_hooks_param_ops, NULL, 0444);
MODULE_PARM_DESC(hooks, "Read-only: each hooked function and its state (absent, resolved, placed, verified, missing)");

/*
 * Proves on the canary that redirection works on this kernel, then lets
 * it go: the hooks of functions with no harmless call rely on that.
 */
static int cidreg_hooks_prove_mechanism(void)
{
	struct cidreg_hook *h = &cidreg_canary_hook;
	int err;

	err = cidreg_hook_place(h, cidreg_canary);
	if (err == -EOPNOTSUPP)
		pr_err("this kernel does not let an ftrace callback move the instruction pointer (arm64 needs DYNAMIC_FTRACE_WITH_ARGS): nothing could be enforced\n");
	else if (err)
		pr_err("cannot place the canary hook: %d\n", err);
	else
		cidreg_hook_remove(h);
	return err;
}

/**
 * cidreg_hooks_init() - hook vsock and vhost_vsock, now and when they load.
 * @w: the wrappers to redirect their functions to.
 *
 * Return: 0, or a negative errno if redirection does not work on this
 * kernel or a loaded target cannot be hooked (a function missing, or
 * modified by another ftrace user).
 */
int cidreg_hooks_init(const struct cidreg_wrappers *w)
{
	int err, i;

	for (i = 0; i < ARRAY_SIZE(cidreg_hooks); i++)
		if (cidreg_hooks[i].wrapped)
			cidreg_hooks[i].wrapper =
				*(void * const *)((const char *)w +
						  cidreg_hooks[i].wrap);

	err = init_srcu_struct(&cidreg_hook_srcu);
	if (err)
		return err;
	err = cidreg_hooks_prove_mechanism();
	if (!err)
		err = register_module_notifier(&cidreg_module_nb);
	if (err) {
		cidreg_ftrace_free_filter(&cidreg_canary_hook.ops);
		cleanup_srcu_struct(&cidreg_hook_srcu);
		return err;
	}
	mutex_lock(&cidreg_hooks_mutex);
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
	mutex_unlock(&cidreg_hooks_mutex);
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
	mutex_lock(&cidreg_hooks_mutex);
	for (i = 0; i < ARRAY_SIZE(cidreg_modules); i++) {
		cidreg_unhook_module_locked(cidreg_modules[i]);
		cidreg_forget_missing_locked(cidreg_modules[i]);
	}
	for (i = 0; i < ARRAY_SIZE(cidreg_hooks); i++)
		if (cidreg_hooks[i].wrapped)
			cidreg_ftrace_free_filter(&cidreg_hooks[i].ops);
	cidreg_ftrace_free_filter(&cidreg_canary_hook.ops);
	mutex_unlock(&cidreg_hooks_mutex);
	cleanup_srcu_struct(&cidreg_hook_srcu);
}
