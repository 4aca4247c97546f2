// SPDX-License-Identifier: GPL-2.0
/*
 * What the module needs from vsock and vhost_vsock, which may load after
 * us and unload under us. Their static functions are resolved with one
 * kprobe per "module:symbol" (kallsyms_lookup_name is not exported), when
 * the module comes and at our init, and forgotten when it goes. Callers
 * run under SRCU (vsock_find_cid() sleeps on a mutex), and a going module
 * waits for them with synchronize_srcu().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/srcu.h>

#include "compat.h"
#include "hooks.h"

struct vhost_vsock;

struct cidreg_symbol {
	const char *module;
	const char *name;	/* "module:symbol", as kprobes take it */
	void **addr;
};

static struct vhost_vsock *(*vhost_vsock_get_fn)(u32 guest_cid);
static bool (*vsock_find_cid_fn)(unsigned int cid);

static struct cidreg_symbol cidreg_symbols[] = {
	{ "vhost_vsock", "vhost_vsock:vhost_vsock_get",
	  (void **)&vhost_vsock_get_fn },
	{ "vsock", "vsock:vsock_find_cid", (void **)&vsock_find_cid_fn },
};

static const char * const cidreg_modules[] = { "vsock", "vhost_vsock" };

/* Serialises resolving with forgetting, so a going module's symbol never
 * stays published.
 */
static DEFINE_MUTEX(cidreg_symbols_lock);
/* Keeps a resolved function's module text alive while it is called. */
DEFINE_STATIC_SRCU(cidreg_symbols_srcu);

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

/* Resolves every symbol of @module; returns how many were missing. */
static int cidreg_resolve_module(const char *module)
{
	int i, missing = 0;

	mutex_lock(&cidreg_symbols_lock);
	for (i = 0; i < ARRAY_SIZE(cidreg_symbols); i++) {
		struct cidreg_symbol *s = &cidreg_symbols[i];
		void *addr;

		if (strcmp(s->module, module))
			continue;
		addr = cidreg_resolve(s->name);
		if (!addr)
			missing++;
		WRITE_ONCE(*s->addr, addr);
	}
	mutex_unlock(&cidreg_symbols_lock);
	return missing;
}

static void cidreg_forget_module(const char *module)
{
	int i;

	mutex_lock(&cidreg_symbols_lock);
	for (i = 0; i < ARRAY_SIZE(cidreg_symbols); i++)
		if (!strcmp(cidreg_symbols[i].module, module))
			WRITE_ONCE(*cidreg_symbols[i].addr, NULL);
	mutex_unlock(&cidreg_symbols_lock);
	/* No caller still runs the module's code once this returns. */
	synchronize_srcu(&cidreg_symbols_srcu);
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

	switch (action) {
	case MODULE_STATE_COMING:
		if (cidreg_resolve_module(mod->name))
			pr_err("%s: cannot resolve what the registry needs from it\n",
			       mod->name);
		break;
	case MODULE_STATE_GOING:
		cidreg_forget_module(mod->name);
		break;
	}
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

	idx = srcu_read_lock(&cidreg_symbols_srcu);
	get = READ_ONCE(vhost_vsock_get_fn);
	if (get) {
		/* vhost_vsock_get() walks an RCU hash table. */
		rcu_read_lock();
		held = get(cid);
		rcu_read_unlock();
	}
	srcu_read_unlock(&cidreg_symbols_srcu, idx);
	return held;
}

/**
 * cidreg_cid_is_local() - whether a CID is one of this host's own.
 * @cid: the CID.
 *
 * Return: true for the host's guest-to-host CID (when the host is itself
 * a guest) and the well-known CIDs vsock serves locally.
 */
bool cidreg_cid_is_local(u32 cid)
{
	bool (*find)(unsigned int cid);
	bool local = false;
	int idx;

	might_sleep();
	idx = srcu_read_lock(&cidreg_symbols_srcu);
	find = READ_ONCE(vsock_find_cid_fn);
	if (find)
		local = find(cid);	/* takes vsock_register_mutex */
	srcu_read_unlock(&cidreg_symbols_srcu, idx);
	return local;
}

/**
 * cidreg_hooks_init() - start following vsock and vhost_vsock.
 *
 * Return: 0, or a negative errno.
 */
int cidreg_hooks_init(void)
{
	int err, i;

	err = register_module_notifier(&cidreg_module_nb);
	if (err)
		return err;
	/* Modules already live; one that comes meanwhile is resolved twice. */
	for (i = 0; i < ARRAY_SIZE(cidreg_modules); i++)
		cidreg_resolve_module(cidreg_modules[i]);
	return 0;
}

/**
 * cidreg_hooks_exit() - stop following vsock and vhost_vsock.
 */
void cidreg_hooks_exit(void)
{
	int i;

	unregister_module_notifier(&cidreg_module_nb);
	for (i = 0; i < ARRAY_SIZE(cidreg_modules); i++)
		cidreg_forget_module(cidreg_modules[i]);
}
