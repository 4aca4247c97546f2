// SPDX-License-Identifier: GPL-2.0
/*
 * Settings: the mode, strict, the range of any-CID reservations, the quota
 * and the protected ports. Each has one validator, which module
 * parameters (at load and through sysfs) and netlink go through alike;
 * changes are serialised by cidreg_settings_lock and read with READ_ONCE()
 * (the ports under RCU).
 *
 * The mode is also held by the hook layer: while vsock or vhost_vsock
 * runs unhooked, it pins the mode to off (cidreg_mode_pin_off()).
 *
 * Who may change them (cidreg_may_configure()): besides CAP_NET_ADMIN in
 * the initial user namespace, a caller in the initial or a trusted netns,
 * or one with CAP_SYS_ADMIN there (a privileged node agent, which could
 * enter the initial netns anyway); root of a pod with CAP_NET_ADMIN alone
 * may not. Every change, whatever its path, is counted, logged and sent
 * as an event naming who made it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bsearch.h>
#include <linux/capability.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/vm_sockets.h>
#include <linux/vsock_cidreg.h>
#include <vsock_cidreg_names.h>

#include "events.h"
#include "netns.h"
#include "settings.h"

/* Protected ports: a sorted array, replaced whole under RCU. */
struct cidreg_ports {
	struct rcu_head rcu;
	unsigned int n;
	u32 port[CIDREG_PORTS_MAX];
};

static DEFINE_MUTEX(cidreg_settings_lock);
static u32 cidreg_mode = VSOCK_CIDREG_MODE_ENFORCE;
static bool cidreg_strict;
static u32 cidreg_cid_min = 3;
static u32 cidreg_cid_max = U32_MAX - 1;
static u32 cidreg_quota = 256;
static struct cidreg_ports __rcu *cidreg_ports;
/* Targets running unhooked: the mode stays off while there are any. */
static unsigned int cidreg_mode_pins;
static atomic64_t cidreg_config_changes = ATOMIC64_INIT(0);

static const char * const cidreg_mode_names[] = VSOCK_CIDREG_MODE_NAMES;

/* The validators: 0, or an errno and why. Under cidreg_settings_lock. */

static int cidreg_mode_check(u32 mode, const char **why)
{
	lockdep_assert_held(&cidreg_settings_lock);
	if (mode >= ARRAY_SIZE(cidreg_mode_names)) {
		*why = "no such mode";
		return -EINVAL;
	}
	if (mode != VSOCK_CIDREG_MODE_OFF && cidreg_mode_pins) {
		*why = "vsock or vhost_vsock runs unhooked: reload it first";
		return -EBUSY;
	}
	return 0;
}

static int cidreg_range_check(u32 min, u32 max, const char **why)
{
	if (min <= VMADDR_CID_HOST || max <= VMADDR_CID_HOST) {
		*why = "CIDs 0 to 2 are not guest CIDs";
		return -EINVAL;
	}
	if (min == VMADDR_CID_ANY || max == VMADDR_CID_ANY) {
		*why = "4294967295 is not a guest CID";
		return -EINVAL;
	}
	if (min > max) {
		*why = "cid-min is above cid-max";
		return -EINVAL;
	}
	return 0;
}

static int cidreg_ports_check(const u32 *ports, unsigned int n,
			      const char **why)
{
	unsigned int i;

	if (n > CIDREG_PORTS_MAX) {
		*why = "at most 32 protected ports";
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (ports[i] == VMADDR_PORT_ANY) {
			*why = "port 4294967295 is not a port";
			return -EINVAL;
		}
	}
	return 0;
}

static int cidreg_u32_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/**
 * cidreg_may_configure() - whether a caller may change the settings or
 *	the trusted set.
 * @net: its netns.
 * @sys_admin: it has CAP_SYS_ADMIN in the initial user namespace.
 *
 * Each path also asks for CAP_NET_ADMIN in the initial user namespace.
 *
 * Return: true if @net is the initial or a trusted netns, or @sys_admin.
 */
bool cidreg_may_configure(const struct net *net, bool sys_admin)
{
	return sys_admin || cidreg_net_trusted(net);
}

/**
 * cidreg_settings_changes() - how many changes of the settings there were.
 *
 * Return: the count since the module loaded.
 */
u64 cidreg_settings_changes(void)
{
	return atomic64_read(&cidreg_config_changes);
}

/* Counts, logs and sends a change made by the current task. */
static void cidreg_settings_report(u32 mode, const struct cidreg_event_config *cfg)
{
	struct cidreg_event ev = {
		.event = VSOCK_CIDREG_EVENT_CONFIG_CHANGED,
		.mode = mode,
		.net = current->nsproxy->net_ns,
		.netns_ino = current->nsproxy->net_ns->ns.inum,
		.pid = task_tgid_nr(current),
		.config = cfg,
	};

	atomic64_inc(&cidreg_config_changes);
	get_task_comm(ev.comm, current);
	/* Not rate-limited: only the privileged change settings. */
	pr_notice("settings changed by pid %d comm %*pE netns %u: mode %s strict %d cid_min %u cid_max %u quota %u protected ports %u\n",
		  ev.pid, cidreg_comm_len(ev.comm), ev.comm,
		  current->nsproxy->net_ns->ns.inum,
		  cidreg_mode_names[mode], cfg->strict, cfg->cid_min,
		  cfg->cid_max, cfg->quota, cfg->nports);
	cidreg_event_send(&ev, GFP_KERNEL);
}

/**
 * cidreg_settings_trust() - add a netns to the trusted set or remove it.
 * @net: the netns.
 * @trusted: add, or remove.
 *
 * The caller checked who asks (cidreg_may_configure()). A change is
 * counted, logged and sent as an event (trusted, untrusted) naming who
 * made it, as a change of the settings is.
 *
 * Return: 0, or -EINVAL for removing the initial netns.
 */
int cidreg_settings_trust(struct net *net, bool trusted)
{
	struct cidreg_event ev = {
		.event = trusted ? VSOCK_CIDREG_EVENT_TRUSTED :
				   VSOCK_CIDREG_EVENT_UNTRUSTED,
		.net = net,
		.netns_ino = net->ns.inum,
		.pid = task_tgid_nr(current),
	};
	int changed = cidreg_set_trusted(net, trusted);

	if (changed <= 0)
		return changed;
	atomic64_inc(&cidreg_config_changes);
	get_task_comm(ev.comm, current);
	pr_notice("netns %u %s by pid %d comm %*pE netns %u\n",
		  net->ns.inum, trusted ? "trusted" : "untrusted", ev.pid,
		  cidreg_comm_len(ev.comm), ev.comm, current->nsproxy->net_ns->ns.inum);
	cidreg_event_send(&ev, GFP_KERNEL);
	return 0;
}

/**
 * cidreg_settings_apply() - change settings, all or none.
 * @c: the change.
 * @why: set to what was wrong, on failure.
 *
 * The caller checked who asks (cidreg_may_configure()); the change is
 * counted, logged and sent as an event naming the current task.
 *
 * Return: 0, -EINVAL (a value out of range), -EBUSY (a mode other than
 * off while a target runs unhooked) or -ENOMEM.
 */
int cidreg_settings_apply(const struct cidreg_settings_change *c,
			  const char **why)
{
	struct cidreg_ports *new = NULL, *old = NULL;
	struct cidreg_event_config cfg;
	u32 ports[CIDREG_PORTS_MAX];
	u32 min, max, mode;
	int err;

	if (c->set_ports) {
		err = cidreg_ports_check(c->ports, c->nports, why);
		if (err)
			return err;
		new = kzalloc(sizeof(*new), GFP_KERNEL);
		if (!new) {
			*why = "out of memory";
			return -ENOMEM;
		}
		memcpy(new->port, c->ports, c->nports * sizeof(u32));
		new->n = c->nports;
		sort(new->port, new->n, sizeof(u32), cidreg_u32_cmp, NULL);
	}
	mutex_lock(&cidreg_settings_lock);
	min = c->set_cid_min ? c->cid_min : cidreg_cid_min;
	max = c->set_cid_max ? c->cid_max : cidreg_cid_max;
	err = cidreg_range_check(min, max, why);
	if (!err && c->set_mode)
		err = cidreg_mode_check(c->mode, why);
	if (err) {
		mutex_unlock(&cidreg_settings_lock);
		kfree(new);
		return err;
	}
	if (c->set_mode)
		WRITE_ONCE(cidreg_mode, c->mode);
	if (c->set_strict)
		WRITE_ONCE(cidreg_strict, c->strict);
	WRITE_ONCE(cidreg_cid_min, min);
	WRITE_ONCE(cidreg_cid_max, max);
	if (c->set_quota)
		WRITE_ONCE(cidreg_quota, c->quota);
	if (new)
		old = rcu_replace_pointer(cidreg_ports, new,
					  lockdep_is_held(&cidreg_settings_lock));
	/* What the change left, as it left it. */
	mode = cidreg_mode;
	cfg = (struct cidreg_event_config){
		.strict = cidreg_strict, .cid_min = min, .cid_max = max,
		.quota = cidreg_quota, .ports = ports,
		.nports = cidreg_setting_ports(ports),
	};
	mutex_unlock(&cidreg_settings_lock);
	if (old)
		kfree_rcu(old, rcu);
	cidreg_settings_report(mode, &cfg);
	return 0;
}

/* Module parameters: parsed here, applied by cidreg_settings_apply(). */

static int cidreg_param_apply(const struct cidreg_settings_change *c,
			      const struct kernel_param *kp)
{
	char comm[TASK_COMM_LEN];
	const char *why = NULL;
	int err;

	if (!capable(CAP_NET_ADMIN) ||
	    !cidreg_may_configure(current->nsproxy->net_ns,
				  capable(CAP_SYS_ADMIN))) {
		get_task_comm(comm, current);
		pr_notice_ratelimited("%s: refused: pid %d comm %*pE may not change the settings\n",
				      kp->name, task_tgid_nr(current),
				      cidreg_comm_len(comm), comm);
		return -EPERM;
	}
	err = cidreg_settings_apply(c, &why);

	if (err)
		pr_notice_ratelimited("%s: refused: %s\n", kp->name, why);
	return err;
}

static int cidreg_param_mode_set(const char *val, const struct kernel_param *kp)
{
	struct cidreg_settings_change c = { .set_mode = true };
	int mode = sysfs_match_string(cidreg_mode_names, val);

	if (mode < 0)
		return -EINVAL;
	c.mode = mode;
	return cidreg_param_apply(&c, kp);
}

static int cidreg_param_mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", cidreg_mode_names[cidreg_setting_mode()]);
}

static const struct kernel_param_ops cidreg_param_mode_ops = {
	.set = cidreg_param_mode_set,
	.get = cidreg_param_mode_get,
};

module_param_cb(mode, &cidreg_param_mode_ops, NULL, 0644);
MODULE_PARM_DESC(mode, "off: registry only; audit: log what enforce would refuse; enforce (default)");

static int cidreg_param_strict_set(const char *val,
				   const struct kernel_param *kp)
{
	struct cidreg_settings_change c = { .set_strict = true };

	if (kstrtobool(val, &c.strict))
		return -EINVAL;
	return cidreg_param_apply(&c, kp);
}

static int cidreg_param_strict_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%c\n", cidreg_setting_strict() ? 'Y' : 'N');
}

static const struct kernel_param_ops cidreg_param_strict_ops = {
	.set = cidreg_param_strict_set,
	.get = cidreg_param_strict_get,
};

module_param_cb(strict, &cidreg_param_strict_ops, NULL, 0644);
MODULE_PARM_DESC(strict, "Refuse SET_GUEST_CID of CIDs nobody reserved (default N: adopt them)");

/* cid_min, cid_max and quota: @kp->arg says which. */
enum { CIDREG_PARAM_CID_MIN, CIDREG_PARAM_CID_MAX, CIDREG_PARAM_QUOTA };

static int cidreg_param_u32_set(const char *val, const struct kernel_param *kp)
{
	struct cidreg_settings_change c = {};
	u32 v;

	if (kstrtou32(val, 0, &v))
		return -EINVAL;
	switch ((uintptr_t)kp->arg) {
	case CIDREG_PARAM_CID_MIN:
		c.set_cid_min = true;
		c.cid_min = v;
		break;
	case CIDREG_PARAM_CID_MAX:
		c.set_cid_max = true;
		c.cid_max = v;
		break;
	default:
		c.set_quota = true;
		c.quota = v;
		break;
	}
	return cidreg_param_apply(&c, kp);
}

static int cidreg_param_u32_get(char *buf, const struct kernel_param *kp)
{
	u32 min, max;

	cidreg_setting_range(&min, &max);
	switch ((uintptr_t)kp->arg) {
	case CIDREG_PARAM_CID_MIN:
		return sysfs_emit(buf, "%u\n", min);
	case CIDREG_PARAM_CID_MAX:
		return sysfs_emit(buf, "%u\n", max);
	default:
		return sysfs_emit(buf, "%u\n", cidreg_setting_quota());
	}
}

static const struct kernel_param_ops cidreg_param_u32_ops = {
	.set = cidreg_param_u32_set,
	.get = cidreg_param_u32_get,
};

module_param_cb(cid_min, &cidreg_param_u32_ops,
		(void *)CIDREG_PARAM_CID_MIN, 0644);
MODULE_PARM_DESC(cid_min, "Lowest CID handed out by any-CID reservations (default 3)");
module_param_cb(cid_max, &cidreg_param_u32_ops,
		(void *)CIDREG_PARAM_CID_MAX, 0644);
MODULE_PARM_DESC(cid_max, "Highest CID handed out by any-CID reservations (default 4294967294)");
module_param_cb(quota, &cidreg_param_u32_ops,
		(void *)CIDREG_PARAM_QUOTA, 0644);
MODULE_PARM_DESC(quota, "Reservations a network namespace may hold; 0: no limit (default 256)");

static int cidreg_param_ports_set(const char *val,
				  const struct kernel_param *kp)
{
	struct cidreg_settings_change *c;
	char *buf, *cur, *tok;
	int err = -ENOMEM;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	buf = kstrdup(val, GFP_KERNEL);
	if (!c || !buf)
		goto out;
	c->set_ports = true;
	cur = strim(buf);
	err = -EINVAL;
	while ((tok = strsep(&cur, ",")) != NULL) {
		tok = strim(tok);
		if (!*tok && !cur && !c->nports)
			break;	/* "" clears the list */
		if (c->nports == CIDREG_PORTS_MAX ||
		    kstrtou32(tok, 0, &c->ports[c->nports]))
			goto out;
		c->nports++;
	}
	err = cidreg_param_apply(c, kp);
out:
	kfree(buf);
	kfree(c);
	return err;
}

static int cidreg_param_ports_get(char *buf, const struct kernel_param *kp)
{
	u32 ports[CIDREG_PORTS_MAX];
	unsigned int i, n = cidreg_setting_ports(ports);
	int len = 0;

	for (i = 0; i < n; i++)
		len += sysfs_emit_at(buf, len, "%s%u", i ? "," : "", ports[i]);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static const struct kernel_param_ops cidreg_param_ports_ops = {
	.set = cidreg_param_ports_set,
	.get = cidreg_param_ports_get,
};

module_param_cb(protected_ports, &cidreg_param_ports_ops, NULL, 0644);
MODULE_PARM_DESC(protected_ports, "Ports only trusted namespaces may bind, comma-separated (at most 32)");

/**
 * cidreg_setting_mode() - the mode.
 *
 * Return: enum vsock_cidreg_mode.
 */
u32 cidreg_setting_mode(void)
{
	return READ_ONCE(cidreg_mode);
}

/**
 * cidreg_setting_strict() - whether strict mode is on.
 *
 * Return: strict.
 */
bool cidreg_setting_strict(void)
{
	return READ_ONCE(cidreg_strict);
}

/**
 * cidreg_setting_range() - the range of any-CID reservations.
 * @min: its lowest CID.
 * @max: its highest, never below @min.
 */
void cidreg_setting_range(u32 *min, u32 *max)
{
	mutex_lock(&cidreg_settings_lock);
	*min = cidreg_cid_min;
	*max = cidreg_cid_max;
	mutex_unlock(&cidreg_settings_lock);
}

/**
 * cidreg_setting_quota() - the quota.
 *
 * Return: reservations a netns may hold; 0: no limit.
 */
u32 cidreg_setting_quota(void)
{
	return READ_ONCE(cidreg_quota);
}

/**
 * cidreg_setting_ports() - the protected ports.
 * @ports: room for CIDREG_PORTS_MAX ports.
 *
 * Return: how many there are, in ascending order.
 */
unsigned int cidreg_setting_ports(u32 *ports)
{
	struct cidreg_ports *p;
	unsigned int n = 0;

	rcu_read_lock();
	p = rcu_dereference(cidreg_ports);
	if (p) {
		n = p->n;
		memcpy(ports, p->port, n * sizeof(u32));
	}
	rcu_read_unlock();
	return n;
}

/**
 * cidreg_port_protected() - whether only trusted namespaces may bind a port.
 * @port: the port.
 *
 * Any context: RCU only.
 *
 * Return: true if @port is protected.
 */
bool cidreg_port_protected(u32 port)
{
	struct cidreg_ports *p;
	bool found = false;

	rcu_read_lock();
	p = rcu_dereference(cidreg_ports);
	if (p)
		found = bsearch(&port, p->port, p->n, sizeof(u32),
				cidreg_u32_cmp);
	rcu_read_unlock();
	return found;
}

/**
 * cidreg_mode_pin_off() - keep the mode off while a target runs unhooked.
 *
 * Return: true if the mode is off, and now stays off until
 * cidreg_mode_unpin_off(); false if it is not off (nothing pinned).
 */
bool cidreg_mode_pin_off(void)
{
	bool off;

	mutex_lock(&cidreg_settings_lock);
	off = cidreg_mode == VSOCK_CIDREG_MODE_OFF;
	if (off)
		cidreg_mode_pins++;
	mutex_unlock(&cidreg_settings_lock);
	return off;
}

/**
 * cidreg_mode_unpin_off() - undo one cidreg_mode_pin_off() that succeeded.
 */
void cidreg_mode_unpin_off(void)
{
	mutex_lock(&cidreg_settings_lock);
	if (!WARN_ON_ONCE(!cidreg_mode_pins))
		cidreg_mode_pins--;
	mutex_unlock(&cidreg_settings_lock);
}

/**
 * cidreg_settings_exit() - free what the settings hold, at unload.
 */
void cidreg_settings_exit(void)
{
	kfree(rcu_dereference_protected(cidreg_ports, true));
}
