/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VSOCK_CIDREG_EVENTS_H
#define _VSOCK_CIDREG_EVENTS_H

#include <linux/gfp.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <net/genetlink.h>

struct net;

/**
 * cidreg_comm_len() - the length of a command name, for "%*pE".
 * @comm: the name (get_task_comm()).
 *
 * A command name goes into a log line escaped ("comm %*pE"), so that a
 * process named "x\nFORGED" writes no line of its own into the log.
 *
 * Return: its length.
 */
static inline int cidreg_comm_len(const char *comm)
{
	return strnlen(comm, TASK_COMM_LEN);
}

/**
 * struct cidreg_event_config - the settings a config-changed event carries.
 * @strict: strict.
 * @cid_min: lowest CID of any-CID reservations.
 * @cid_max: highest.
 * @quota: the quota.
 * @nports: how many @ports.
 * @ports: the protected ports.
 */
struct cidreg_event_config {
	bool strict;
	u32 cid_min, cid_max, quota;
	unsigned int nports;
	const u32 *ports;
};

/**
 * struct cidreg_event - what an event of the "events" group says.
 * @event: enum vsock_cidreg_event.
 * @reason: enum vsock_cidreg_reason, for a release; else 0.
 * @cid: the CID.
 * @kind: enum vsock_cidreg_kind of the entry; 0 for a denial.
 * @op: enum vsock_cidreg_op, for a denial.
 * @port: the port, for a denial.
 * @mode: enum vsock_cidreg_mode, for a denial (audit: would deny).
 * @rule: enum vsock_cidreg_rule, for a denial: which rule refused it.
 * @dropped: how many events of its source (@source) the rate limit
 *	dropped since the last one sent; set by cidreg_event_send().
 * @source: whom a kernel thread acts for, when it sends the event: the
 *	pod an entry is charged to, a refused netns (cidreg_event_source_*());
 *	0: the host. A process is its own source.
 * @net: the entry's owner, the netns of a denied operation, the netns
 *	trusted or untrusted, or the one a change of the settings came from:
 *	its listeners see the event.
 * @to_net: the new owner, for a transfer (its listeners see it); else NULL.
 * @netns_ino: @net's inode number.
 * @to_netns_ino: @to_net's, or 0.
 * @pid: the process that acted (for attach/detach: the device's), in the
 *	initial pid namespace: sent only to full views (a listener with the
 *	right to see every netns), whose pid namespace it is.
 * @comm: its command name.
 * @label: the entry's label, or NULL.
 * @info: VSOCK_CIDREG_INFO_LOCAL for an entry or a denial in the space of
 *	a netns in vsock's local mode (that of @net); else 0.
 * @config: for a change of the settings, the settings after it.
 */
struct cidreg_event {
	u32 event;
	u32 reason;
	u32 cid;
	u32 kind;
	u32 op;
	u32 port;
	u32 mode;
	u32 rule;
	u64 dropped;
	unsigned long source;
	const struct net *net;
	const struct net *to_net;
	u64 netns_ino;
	u64 to_netns_ino;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	const char *label;
	u32 info;
	const struct cidreg_event_config *config;
};

/*
 * Sources of events, for their rate limit, told apart by their low two
 * bits: a pid namespace's or a user namespace's address (events.c holds a
 * reference while it keeps the source's limit, so that no namespace made
 * later at the same address inherits it), a uid of the initial user
 * namespace, or a netns (events.c: by a cookie no other netns had). The
 * host, root of the initial user namespace, is not limited.
 */
enum cidreg_source_kind {
	CIDREG_SOURCE_PIDNS,
	CIDREG_SOURCE_UID,
	CIDREG_SOURCE_USERNS,
	CIDREG_SOURCE_NET,
};

#define CIDREG_SOURCE_KIND 3UL

struct pid_namespace;
struct user_namespace;

static inline unsigned long
cidreg_event_source_pidns(const struct pid_namespace *ns)
{
	return (unsigned long)ns | CIDREG_SOURCE_PIDNS;
}

static inline unsigned long
cidreg_event_source_userns(const struct user_namespace *ns)
{
	return (unsigned long)ns | CIDREG_SOURCE_USERNS;
}

static inline unsigned long cidreg_event_source_uid(kuid_t uid)
{
	return ((unsigned long)__kuid_val(uid) << 2) | CIDREG_SOURCE_UID;
}

#define CIDREG_SOURCE_HOST cidreg_event_source_uid(GLOBAL_ROOT_UID)

/* The family's multicast groups: "events" and "netns-events". */
enum { CIDREG_GROUP_EVENTS, CIDREG_GROUP_NETNS_EVENTS, CIDREG_EVENT_NGROUPS };
extern const struct genl_multicast_group cidreg_event_groups[CIDREG_EVENT_NGROUPS];

void cidreg_events_start(const struct genl_family *family);
void cidreg_events_stop(void);
void cidreg_event_send(const struct cidreg_event *ev, gfp_t gfp);
void cidreg_event_denied(u32 op, u32 rule, u32 mode, const struct net *net,
			 u32 cid, u32 port);
u64 cidreg_events_dropped(void);

#endif /* _VSOCK_CIDREG_EVENTS_H */
