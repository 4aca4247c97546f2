/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VSOCK_CIDREG_NETLINK_H
#define _VSOCK_CIDREG_NETLINK_H

#include <linux/gfp.h>
#include <linux/sched.h>
#include <linux/types.h>

/**
 * struct cidreg_event - what an event of the "events" group says.
 * @event: enum vsock_cidreg_event.
 * @reason: enum vsock_cidreg_reason, for a release; else 0.
 * @cid: the CID.
 * @kind: enum vsock_cidreg_kind of the entry; 0 for a denial.
 * @op: enum vsock_cidreg_op, for a denial.
 * @port: the port, for a denial.
 * @mode: enum vsock_cidreg_mode, for a denial (audit: would deny).
 * @netns_ino: the entry's owner, or the netns of a denied operation.
 * @to_netns_ino: the new owner, for a transfer; else 0.
 * @pid: the process that acted (for attach/detach: the device's).
 * @comm: its command name.
 * @label: the entry's label, or NULL.
 */
struct cidreg_event {
	u32 event;
	u32 reason;
	u32 cid;
	u32 kind;
	u32 op;
	u32 port;
	u32 mode;
	u64 netns_ino;
	u64 to_netns_ino;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	const char *label;
};

void cidreg_notify(const struct cidreg_event *ev, gfp_t gfp);
int cidreg_netlink_init(void);
void cidreg_netlink_exit(void);

#endif /* _VSOCK_CIDREG_NETLINK_H */
