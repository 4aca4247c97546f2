/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/vsock_cidreg.yaml */
/* YNL-GEN uapi header */
/* To regenerate run: scripts/ynl-regen.sh */

#ifndef _UAPI_LINUX_VSOCK_CIDREG_NL_H
#define _UAPI_LINUX_VSOCK_CIDREG_NL_H

#define VSOCK_CIDREG_FAMILY_NAME	"vsock_cidreg"
#define VSOCK_CIDREG_FAMILY_VERSION	1

/**
 * enum vsock_cidreg_kind - Kinds of reservation.
 * @VSOCK_CIDREG_KIND_LEASE: Ends when the file that made it is closed.
 * @VSOCK_CIDREG_KIND_PERSISTENT: Ends on release.
 * @VSOCK_CIDREG_KIND_ADOPTED: Recorded when a vhost-vsock device claimed an
 *   unreserved CID; ends when the device lets it go.
 */
enum vsock_cidreg_kind {
	VSOCK_CIDREG_KIND_LEASE = 1,
	VSOCK_CIDREG_KIND_PERSISTENT,
	VSOCK_CIDREG_KIND_ADOPTED,
};

/**
 * enum vsock_cidreg_info - What the reader may know of an entry
 *   (vsock_cidreg_entry.info).
 * @VSOCK_CIDREG_INFO_HIDDEN: Another netns's entry, details withheld.
 * @VSOCK_CIDREG_INFO_OWN: Owned by the caller's network namespace.
 * @VSOCK_CIDREG_INFO_ATTACHED: A vhost-vsock device holds the CID.
 * @VSOCK_CIDREG_INFO_LOCAL: The CID is in the space of a netns in vsock's
 *   local mode (Linux 7.0+); other namespaces may hold the same CID.
 */
enum vsock_cidreg_info {
	VSOCK_CIDREG_INFO_HIDDEN = 1,
	VSOCK_CIDREG_INFO_OWN = 2,
	VSOCK_CIDREG_INFO_ATTACHED = 4,
	VSOCK_CIDREG_INFO_LOCAL = 8,
};

/**
 * enum vsock_cidreg_mode - What the enforcement hooks do.
 * @VSOCK_CIDREG_MODE_OFF: Nothing; the registry only.
 * @VSOCK_CIDREG_MODE_AUDIT: Count and log what enforce would refuse, refuse
 *   nothing.
 * @VSOCK_CIDREG_MODE_ENFORCE: Refuse.
 */
enum vsock_cidreg_mode {
	VSOCK_CIDREG_MODE_OFF,
	VSOCK_CIDREG_MODE_AUDIT,
	VSOCK_CIDREG_MODE_ENFORCE,
};

/**
 * enum vsock_cidreg_op - The operations the hooks check; indices of the
 *   counters of struct vsock_cidreg_stats.
 * @VSOCK_CIDREG_OP_SET_CID: VHOST_VSOCK_SET_GUEST_CID (refused with EADDRINUSE
 *   for another netns's reservation, EPERM for an unreserved CID under strict,
 *   EDQUOT over the quota).
 * @VSOCK_CIDREG_OP_CONNECT: connect() to a guest CID (refused with EACCES).
 * @VSOCK_CIDREG_OP_ACCEPT: A connection from a guest CID reaching a listener
 *   (refused: the guest gets a reset).
 * @VSOCK_CIDREG_OP_BIND_CID: bind() to a reserved CID (refused with EACCES).
 * @VSOCK_CIDREG_OP_BIND_PORT: Bind, explicit or implicit, to a protected port
 *   (refused with EACCES; an implicit bind takes another port).
 */
enum vsock_cidreg_op {
	VSOCK_CIDREG_OP_SET_CID,
	VSOCK_CIDREG_OP_CONNECT,
	VSOCK_CIDREG_OP_ACCEPT,
	VSOCK_CIDREG_OP_BIND_CID,
	VSOCK_CIDREG_OP_BIND_PORT,
};

/**
 * enum vsock_cidreg_event - What an event reports (the event attribute).
 * @VSOCK_CIDREG_EVENT_RESERVED: A CID was reserved.
 * @VSOCK_CIDREG_EVENT_RELEASED: A reservation ended (see reason).
 * @VSOCK_CIDREG_EVENT_TRANSFERRED: An entry moved to another netns.
 * @VSOCK_CIDREG_EVENT_ATTACHED: A vhost-vsock device took a reserved CID.
 * @VSOCK_CIDREG_EVENT_DETACHED: The device let it go.
 * @VSOCK_CIDREG_EVENT_ADOPTED: A device took an unreserved CID.
 * @VSOCK_CIDREG_EVENT_DENIED: The hooks refused an operation (or would have).
 * @VSOCK_CIDREG_EVENT_CONFIG_CHANGED: A setting changed (netlink, sysfs or a
 *   parameter at load); the settings after it.
 * @VSOCK_CIDREG_EVENT_TRUSTED: A netns (netns-ino) was added to the trusted
 *   set; pid and comm: by whom.
 * @VSOCK_CIDREG_EVENT_UNTRUSTED: A netns (netns-ino) was removed from the
 *   trusted set; pid and comm: by whom.
 */
enum vsock_cidreg_event {
	VSOCK_CIDREG_EVENT_RESERVED = 1,
	VSOCK_CIDREG_EVENT_RELEASED,
	VSOCK_CIDREG_EVENT_TRANSFERRED,
	VSOCK_CIDREG_EVENT_ATTACHED,
	VSOCK_CIDREG_EVENT_DETACHED,
	VSOCK_CIDREG_EVENT_ADOPTED,
	VSOCK_CIDREG_EVENT_DENIED,
	VSOCK_CIDREG_EVENT_CONFIG_CHANGED,
	VSOCK_CIDREG_EVENT_TRUSTED,
	VSOCK_CIDREG_EVENT_UNTRUSTED,
};

/**
 * enum vsock_cidreg_rule - Which rule refused an operation (the rule attribute
 *   of a denial).
 * @VSOCK_CIDREG_RULE_FOREIGN: The CID is reserved by another netns (set-cid,
 *   bind-cid).
 * @VSOCK_CIDREG_RULE_UNRESERVED: The CID is not reserved, and strict is set
 *   (set-cid).
 * @VSOCK_CIDREG_RULE_QUOTA: Adopting the CID would exceed the netns's quota
 *   (set-cid).
 * @VSOCK_CIDREG_RULE_NOT_OWNER: The guest's CID is neither the netns's own nor
 *   is the netns trusted (connect, accept).
 * @VSOCK_CIDREG_RULE_PROTECTED_PORT: The port is protected and the netns is
 *   not trusted (bind-port).
 */
enum vsock_cidreg_rule {
	VSOCK_CIDREG_RULE_FOREIGN = 1,
	VSOCK_CIDREG_RULE_UNRESERVED,
	VSOCK_CIDREG_RULE_QUOTA,
	VSOCK_CIDREG_RULE_NOT_OWNER,
	VSOCK_CIDREG_RULE_PROTECTED_PORT,
};

/**
 * enum vsock_cidreg_reason - Why a reservation ended (the reason attribute of
 *   a release).
 * @VSOCK_CIDREG_REASON_RELEASED: Released by a caller.
 * @VSOCK_CIDREG_REASON_LEASE_CLOSED: The file holding the lease was closed.
 * @VSOCK_CIDREG_REASON_NETNS_EXIT: The owning netns ended.
 * @VSOCK_CIDREG_REASON_DEVICE_CLOSED: The device of an adopted CID let it go.
 */
enum vsock_cidreg_reason {
	VSOCK_CIDREG_REASON_RELEASED = 1,
	VSOCK_CIDREG_REASON_LEASE_CLOSED,
	VSOCK_CIDREG_REASON_NETNS_EXIT,
	VSOCK_CIDREG_REASON_DEVICE_CLOSED,
};

enum vsock_cidreg_attr {
	VSOCK_CIDREG_A_PAD = 1,
	VSOCK_CIDREG_A_CID,
	VSOCK_CIDREG_A_NETNS_INO,
	VSOCK_CIDREG_A_NETNS_FD,
	VSOCK_CIDREG_A_KIND,
	VSOCK_CIDREG_A_INFO,
	VSOCK_CIDREG_A_LABEL,
	VSOCK_CIDREG_A_CREATOR_PID,
	VSOCK_CIDREG_A_CREATOR_UID,
	VSOCK_CIDREG_A_COMM,
	VSOCK_CIDREG_A_CTIME_NS,
	VSOCK_CIDREG_A_HOLDER_PID,
	VSOCK_CIDREG_A_MODE,
	VSOCK_CIDREG_A_STRICT,
	VSOCK_CIDREG_A_CID_MIN,
	VSOCK_CIDREG_A_CID_MAX,
	VSOCK_CIDREG_A_QUOTA,
	VSOCK_CIDREG_A_PROTECTED_PORTS,
	VSOCK_CIDREG_A_ENTRIES,
	VSOCK_CIDREG_A_OP_STATS,
	VSOCK_CIDREG_A_OP,
	VSOCK_CIDREG_A_ALLOWED,
	VSOCK_CIDREG_A_DENIED,
	VSOCK_CIDREG_A_AUDITED,
	VSOCK_CIDREG_A_EVENT,
	VSOCK_CIDREG_A_REASON,
	VSOCK_CIDREG_A_PID,
	VSOCK_CIDREG_A_PORT,
	VSOCK_CIDREG_A_TO_NETNS_INO,
	VSOCK_CIDREG_A_CONFIG_CHANGES,
	VSOCK_CIDREG_A_RULE,
	VSOCK_CIDREG_A_DROPPED,
	VSOCK_CIDREG_A_EVENTS_DROPPED,

	__VSOCK_CIDREG_A_MAX,
	VSOCK_CIDREG_A_MAX = (__VSOCK_CIDREG_A_MAX - 1)
};

enum vsock_cidreg_cmd {
	VSOCK_CIDREG_CMD_GET = 1,
	VSOCK_CIDREG_CMD_GET_STATS,
	VSOCK_CIDREG_CMD_GET_CONFIG,
	VSOCK_CIDREG_CMD_SET_CONFIG,
	VSOCK_CIDREG_CMD_TRUST,
	VSOCK_CIDREG_CMD_UNTRUST,
	VSOCK_CIDREG_CMD_EVENT,

	__VSOCK_CIDREG_CMD_MAX,
	VSOCK_CIDREG_CMD_MAX = (__VSOCK_CIDREG_CMD_MAX - 1)
};

#define VSOCK_CIDREG_MCGRP_EVENTS	"events"
#define VSOCK_CIDREG_MCGRP_NETNS_EVENTS	"netns-events"

#endif /* _UAPI_LINUX_VSOCK_CIDREG_NL_H */
