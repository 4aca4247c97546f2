/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vsock_cidreg: a registry of vsock context IDs (CIDs) owned by network
 * namespaces, with enforcement on vsock.
 *
 * This header is the userspace API of the misc device /dev/vsock-cidreg.
 * Documentation/uapi.md describes every call and the errno it returns.
 *
 * Every ioctl argument is an extensible struct whose first member is its
 * size in bytes, as userspace knows it (the openat2/clone3 convention): a
 * smaller size than the kernel's is accepted if it covers the VER0 struct;
 * a larger one is accepted only if the bytes the kernel does not know are
 * zero (else E2BIG). Output is written back up to the smaller of the two
 * sizes. The kernel matches ioctl numbers on their type and number, not on
 * the size encoded in them, so binaries built against another version of
 * this header keep working.
 */
#ifndef _UAPI_LINUX_VSOCK_CIDREG_H
#define _UAPI_LINUX_VSOCK_CIDREG_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * VSOCK_CIDREG_DEVICE - name of the misc device, under /dev.
 */
#define VSOCK_CIDREG_DEVICE		"vsock-cidreg"

/**
 * VSOCK_CIDREG_IOC_MAGIC - ioctl type of every /dev/vsock-cidreg ioctl.
 *
 * 0xC1 is not claimed in Documentation/userspace-api/ioctl/ioctl-number.rst
 * (as of Linux 6.1).
 */
#define VSOCK_CIDREG_IOC_MAGIC		0xC1

/** VSOCK_CIDREG_LABEL_MAX - size of a label, with its terminating NUL. */
#define VSOCK_CIDREG_LABEL_MAX		64
/** VSOCK_CIDREG_COMM_MAX - size of a command name, with its NUL. */
#define VSOCK_CIDREG_COMM_MAX		16

/* Flags of struct vsock_cidreg_reserve. */
/** VSOCK_CIDREG_RESERVE_ANY - any free CID in [@cid_min, @cid_max]. */
#define VSOCK_CIDREG_RESERVE_ANY	(1U << 0)
/** VSOCK_CIDREG_RESERVE_LOWEST - with ANY: the lowest free, not random. */
#define VSOCK_CIDREG_RESERVE_LOWEST	(1U << 1)
/** VSOCK_CIDREG_RESERVE_PERSISTENT - outlive the file, end on release. */
#define VSOCK_CIDREG_RESERVE_PERSISTENT	(1U << 2)
/** VSOCK_CIDREG_RESERVE_NETNS - for the netns of @netns_fd. */
#define VSOCK_CIDREG_RESERVE_NETNS	(1U << 3)

/**
 * struct vsock_cidreg_reserve - argument of VSOCK_CIDREG_IOC_RESERVE.
 * @size: sizeof(struct vsock_cidreg_reserve) as the caller knows it.
 * @flags: VSOCK_CIDREG_RESERVE_* flags.
 * @cid: in: the CID to reserve, unless RESERVE_ANY (then 0); out: the CID
 *	reserved.
 * @cid_min: with RESERVE_ANY: lowest CID of the range; 0 means the
 *	module's cid_min parameter.
 * @cid_max: with RESERVE_ANY: highest CID of the range; 0 means the
 *	module's cid_max parameter.
 * @netns_fd: with RESERVE_NETNS: an fd of the owning network namespace
 *	(/proc/PID/ns/net, /run/netns/NAME); else unused and 0.
 * @label: free text naming the user (printable ASCII, NUL-terminated).
 *
 * Without RESERVE_PERSISTENT the reservation is a lease of the open file
 * description: it ends when the last fd referring to it is closed.
 */
struct vsock_cidreg_reserve {
	__u32 size;
	__u32 flags;
	__u32 cid;
	__u32 cid_min;
	__u32 cid_max;
	__s32 netns_fd;
	char label[VSOCK_CIDREG_LABEL_MAX];
};

#define VSOCK_CIDREG_RESERVE_SIZE_VER0	88

/* Flags of struct vsock_cidreg_release. */
/** VSOCK_CIDREG_RELEASE_ALL - every CID of the netns, not just @cid. */
#define VSOCK_CIDREG_RELEASE_ALL	(1U << 0)
/** VSOCK_CIDREG_RELEASE_NETNS - the netns is that of @netns_fd. */
#define VSOCK_CIDREG_RELEASE_NETNS	(1U << 1)
/** VSOCK_CIDREG_RELEASE_EVERY_NETNS - with ALL: in every netns. */
#define VSOCK_CIDREG_RELEASE_EVERY_NETNS (1U << 2)

/**
 * struct vsock_cidreg_release - argument of VSOCK_CIDREG_IOC_RELEASE.
 * @size: sizeof(struct vsock_cidreg_release) as the caller knows it.
 * @flags: VSOCK_CIDREG_RELEASE_* flags.
 * @cid: the CID to release, unless RELEASE_ALL (then 0).
 * @netns_fd: with RELEASE_NETNS: an fd of the netns whose CIDs to release.
 * @count: out: how many reservations ended.
 * @reserved: must be 0.
 */
struct vsock_cidreg_release {
	__u32 size;
	__u32 flags;
	__u32 cid;
	__s32 netns_fd;
	__u32 count;
	__u32 reserved;
};

#define VSOCK_CIDREG_RELEASE_SIZE_VER0	24

/* Flags of struct vsock_cidreg_transfer. */
/** VSOCK_CIDREG_TRANSFER_PERSISTENT - a lease becomes persistent. */
#define VSOCK_CIDREG_TRANSFER_PERSISTENT (1U << 0)

/**
 * struct vsock_cidreg_transfer - argument of VSOCK_CIDREG_IOC_TRANSFER.
 * @size: sizeof(struct vsock_cidreg_transfer) as the caller knows it.
 * @flags: VSOCK_CIDREG_TRANSFER_* flags.
 * @cid: the CID whose ownership moves.
 * @netns_fd: an fd of the network namespace that becomes its owner.
 */
struct vsock_cidreg_transfer {
	__u32 size;
	__u32 flags;
	__u32 cid;
	__s32 netns_fd;
};

#define VSOCK_CIDREG_TRANSFER_SIZE_VER0	16

/**
 * enum vsock_cidreg_kind - kinds of reservation.
 * @VSOCK_CIDREG_KIND_LEASE: ends when the file that made it is closed.
 * @VSOCK_CIDREG_KIND_PERSISTENT: ends on release.
 * @VSOCK_CIDREG_KIND_ADOPTED: recorded when a vhost-vsock device claimed
 *	an unreserved CID; ends when the device lets it go.
 */
enum vsock_cidreg_kind {
	VSOCK_CIDREG_KIND_LEASE = 1,
	VSOCK_CIDREG_KIND_PERSISTENT = 2,
	VSOCK_CIDREG_KIND_ADOPTED = 3,
};

/* Bits of vsock_cidreg_entry.info. */
/** VSOCK_CIDREG_INFO_HIDDEN - another netns's entry: details withheld. */
#define VSOCK_CIDREG_INFO_HIDDEN	(1U << 0)
/** VSOCK_CIDREG_INFO_OWN - owned by the caller's network namespace. */
#define VSOCK_CIDREG_INFO_OWN		(1U << 1)
/** VSOCK_CIDREG_INFO_ATTACHED - a vhost-vsock device holds the CID. */
#define VSOCK_CIDREG_INFO_ATTACHED	(1U << 2)
/**
 * VSOCK_CIDREG_INFO_LOCAL - the CID is in the space of a netns in vsock's
 * local mode (Linux 7.0+): other namespaces may hold the same CID.
 */
#define VSOCK_CIDREG_INFO_LOCAL		(1U << 3)

/**
 * struct vsock_cidreg_entry - argument of VSOCK_CIDREG_IOC_QUERY.
 * @size: sizeof(struct vsock_cidreg_entry) as the caller knows it.
 * @flags: in: must be 0.
 * @cid: in: the CID to look up.
 * @kind: out: enum vsock_cidreg_kind; 0 when hidden.
 * @info: out: VSOCK_CIDREG_INFO_* bits.
 * @creator_uid: out: uid of the creator, in the caller's user namespace.
 * @creator_pid: out: pid of the creator in the caller's pid namespace, or
 *	0 when it is not visible there or has exited.
 * @holder_pid: out: pid of the process whose vhost-vsock device holds the
 *	CID, when known; else 0.
 * @netns_ino: out: inode number of the owning network namespace.
 * @ctime_ns: out: creation time, CLOCK_REALTIME nanoseconds.
 * @comm: out: command name of the creator.
 * @label: out: the label given at reservation.
 *
 * A caller without CAP_NET_ADMIN in the initial user namespace gets only
 * @cid, @info (HIDDEN, ATTACHED) for entries of other network namespaces;
 * every other output is 0.
 */
struct vsock_cidreg_entry {
	__u32 size;
	__u32 flags;
	__u32 cid;
	__u32 kind;
	__u32 info;
	__u32 creator_uid;
	__s32 creator_pid;
	__s32 holder_pid;
	__u64 netns_ino;
	__u64 ctime_ns;
	char comm[VSOCK_CIDREG_COMM_MAX];
	char label[VSOCK_CIDREG_LABEL_MAX];
};

#define VSOCK_CIDREG_ENTRY_SIZE_VER0	128

/**
 * VSOCK_CIDREG_IOC_RESERVE - reserve a CID.
 *
 * Errors: EINVAL (bad flags, CID 0, 1, 2, U32_MAX or the host's own CID,
 * empty or inverted range, bad label), EADDRINUSE (reserved, or held by a
 * vhost-vsock device), ENOSPC (no free CID in the range), EDQUOT (the
 * netns holds its quota), EPERM (another netns without CAP_NET_ADMIN over
 * it), EBADF (bad @netns_fd), E2BIG, EFAULT, ENOMEM.
 */
#define VSOCK_CIDREG_IOC_RESERVE \
	_IOWR(VSOCK_CIDREG_IOC_MAGIC, 0x01, struct vsock_cidreg_reserve)
/**
 * VSOCK_CIDREG_IOC_RELEASE - end a reservation, or all of a netns's.
 *
 * Errors: ENOENT (not reserved), EPERM (owned by a netns the caller does
 * not administer), EINVAL, EBADF, E2BIG, EFAULT.
 */
#define VSOCK_CIDREG_IOC_RELEASE \
	_IOWR(VSOCK_CIDREG_IOC_MAGIC, 0x02, struct vsock_cidreg_release)
/**
 * VSOCK_CIDREG_IOC_QUERY - describe one reserved CID.
 *
 * Errors: ENOENT (not reserved), EINVAL, E2BIG, EFAULT.
 */
#define VSOCK_CIDREG_IOC_QUERY \
	_IOWR(VSOCK_CIDREG_IOC_MAGIC, 0x03, struct vsock_cidreg_entry)
/**
 * VSOCK_CIDREG_IOC_TRANSFER - give a reserved CID to another netns.
 *
 * Errors: ENOENT, EPERM (the caller administers either netns not),
 * EDQUOT (the target holds its quota), EINVAL (adopted entries move with
 * their device, not by transfer), EBADF, E2BIG, EFAULT.
 */
#define VSOCK_CIDREG_IOC_TRANSFER \
	_IOW(VSOCK_CIDREG_IOC_MAGIC, 0x04, struct vsock_cidreg_transfer)

/**
 * enum vsock_cidreg_mode - what the enforcement hooks do.
 * @VSOCK_CIDREG_MODE_OFF: nothing; the registry only.
 * @VSOCK_CIDREG_MODE_AUDIT: count and log what enforce would refuse,
 *	refuse nothing.
 * @VSOCK_CIDREG_MODE_ENFORCE: refuse.
 */
enum vsock_cidreg_mode {
	VSOCK_CIDREG_MODE_OFF = 0,
	VSOCK_CIDREG_MODE_AUDIT = 1,
	VSOCK_CIDREG_MODE_ENFORCE = 2,
};

/**
 * enum vsock_cidreg_op - the operations the hooks check; indices of the
 * counters of struct vsock_cidreg_stats.
 * @VSOCK_CIDREG_OP_SET_CID: VHOST_VSOCK_SET_GUEST_CID (refused: EPERM).
 * @VSOCK_CIDREG_OP_CONNECT: connect() to a guest CID (refused: EACCES).
 * @VSOCK_CIDREG_OP_ACCEPT: a connection from a guest CID reaching a
 *	listener (refused: the guest gets a reset).
 * @VSOCK_CIDREG_OP_BIND_CID: bind() to a reserved CID (refused: EACCES).
 * @VSOCK_CIDREG_OP_BIND_PORT: bind, explicit or implicit, to a protected
 *	port (refused: EACCES; an implicit bind takes another port).
 * @VSOCK_CIDREG_OP_COUNT: how many there are.
 */
enum vsock_cidreg_op {
	VSOCK_CIDREG_OP_SET_CID = 0,
	VSOCK_CIDREG_OP_CONNECT = 1,
	VSOCK_CIDREG_OP_ACCEPT = 2,
	VSOCK_CIDREG_OP_BIND_CID = 3,
	VSOCK_CIDREG_OP_BIND_PORT = 4,
	VSOCK_CIDREG_OP_COUNT
};

/** VSOCK_CIDREG_OPS_MAX - room for operations in struct vsock_cidreg_stats. */
#define VSOCK_CIDREG_OPS_MAX		16

/**
 * struct vsock_cidreg_stats - argument of VSOCK_CIDREG_IOC_STATS.
 * @size: sizeof(struct vsock_cidreg_stats), set by the caller.
 * @flags: 0.
 * @mode: the current enum vsock_cidreg_mode.
 * @strict: 1 if unreserved CIDs are refused to vhost-vsock devices.
 * @allowed: per enum vsock_cidreg_op: checks that found the operation
 *	allowed.
 * @denied: per operation: operations refused (mode enforce).
 * @audited: per operation: operations that enforce would have refused
 *	(mode audit).
 *
 * Counters count from module load; checks skipped (mode off, CIDs 0 to 2)
 * are not counted.
 */
struct vsock_cidreg_stats {
	__u32 size;
	__u32 flags;
	__u32 mode;
	__u32 strict;
	__u64 allowed[VSOCK_CIDREG_OPS_MAX];
	__u64 denied[VSOCK_CIDREG_OPS_MAX];
	__u64 audited[VSOCK_CIDREG_OPS_MAX];
};

#define VSOCK_CIDREG_STATS_SIZE_VER0	400

/* Flags of struct vsock_cidreg_trust. */
/** VSOCK_CIDREG_TRUST_REMOVE - remove the netns from the trusted set. */
#define VSOCK_CIDREG_TRUST_REMOVE	(1U << 0)

/**
 * struct vsock_cidreg_trust - argument of VSOCK_CIDREG_IOC_TRUST.
 * @size: sizeof(struct vsock_cidreg_trust), set by the caller.
 * @flags: VSOCK_CIDREG_TRUST_*.
 * @netns_fd: an fd of the netns (/proc/PID/ns/net, /run/netns/NAME).
 * @reserved: 0.
 */
struct vsock_cidreg_trust {
	__u32 size;
	__u32 flags;
	__s32 netns_fd;
	__u32 reserved;
};

#define VSOCK_CIDREG_TRUST_SIZE_VER0	16

/**
 * VSOCK_CIDREG_IOC_TRUST - add a netns to the trusted set, or remove it.
 *
 * Trusted namespaces pass every rule. The initial netns is always trusted.
 * A netns leaves the set when it is destroyed. Needs CAP_NET_ADMIN in the
 * initial user namespace (EPERM). Errors: EINVAL (flags, reserved, the
 * initial netns with REMOVE), EBADF or EINVAL (not a netns fd), EFAULT,
 * E2BIG.
 */
#define VSOCK_CIDREG_IOC_TRUST \
	_IOW(VSOCK_CIDREG_IOC_MAGIC, 0x05, struct vsock_cidreg_trust)
/**
 * VSOCK_CIDREG_IOC_STATS - read the mode and the counters of the hooks.
 *
 * Errors: EINVAL (flags), EFAULT, E2BIG.
 */
#define VSOCK_CIDREG_IOC_STATS \
	_IOWR(VSOCK_CIDREG_IOC_MAGIC, 0x06, struct vsock_cidreg_stats)

/*
 * The generic netlink family (Documentation/netlink/vsock_cidreg.yaml and
 * Documentation/netlink.md).
 */
#define VSOCK_CIDREG_GENL_NAME		"vsock_cidreg"
#define VSOCK_CIDREG_GENL_VERSION	1
#define VSOCK_CIDREG_MCGRP_EVENTS	"events"

/**
 * enum vsock_cidreg_cmd - commands of the family.
 * @VSOCK_CIDREG_CMD_GET: one entry (do: @VSOCK_CIDREG_A_CID), or all
 *	(dump; optionally of the netns of @VSOCK_CIDREG_A_NETNS_FD).
 * @VSOCK_CIDREG_CMD_GET_STATS: counters and table size.
 * @VSOCK_CIDREG_CMD_GET_CONFIG: the settings.
 * @VSOCK_CIDREG_CMD_SET_CONFIG: change settings (CAP_NET_ADMIN).
 * @VSOCK_CIDREG_CMD_TRUST: add a netns to the trusted set (CAP_NET_ADMIN).
 * @VSOCK_CIDREG_CMD_UNTRUST: remove one (CAP_NET_ADMIN).
 * @VSOCK_CIDREG_CMD_EVENT: a notification on the "events" group.
 */
enum vsock_cidreg_cmd {
	VSOCK_CIDREG_CMD_UNSPEC,
	VSOCK_CIDREG_CMD_GET,
	VSOCK_CIDREG_CMD_GET_STATS,
	VSOCK_CIDREG_CMD_GET_CONFIG,
	VSOCK_CIDREG_CMD_SET_CONFIG,
	VSOCK_CIDREG_CMD_TRUST,
	VSOCK_CIDREG_CMD_UNTRUST,
	VSOCK_CIDREG_CMD_EVENT,
	__VSOCK_CIDREG_CMD_MAX
};

#define VSOCK_CIDREG_CMD_MAX (__VSOCK_CIDREG_CMD_MAX - 1)

/** enum vsock_cidreg_attr - attributes of the family (see the spec). */
enum vsock_cidreg_attr {
	VSOCK_CIDREG_A_UNSPEC,
	VSOCK_CIDREG_A_PAD,
	VSOCK_CIDREG_A_CID,		/* u32 */
	VSOCK_CIDREG_A_NETNS_INO,	/* u64 */
	VSOCK_CIDREG_A_NETNS_FD,	/* s32 */
	VSOCK_CIDREG_A_KIND,		/* u32, enum vsock_cidreg_kind */
	VSOCK_CIDREG_A_INFO,		/* u32, VSOCK_CIDREG_INFO_* */
	VSOCK_CIDREG_A_LABEL,		/* string */
	VSOCK_CIDREG_A_CREATOR_PID,	/* u32 */
	VSOCK_CIDREG_A_CREATOR_UID,	/* u32 */
	VSOCK_CIDREG_A_COMM,		/* string */
	VSOCK_CIDREG_A_CTIME_NS,	/* u64 */
	VSOCK_CIDREG_A_HOLDER_PID,	/* u32 */
	VSOCK_CIDREG_A_MODE,		/* u32, enum vsock_cidreg_mode */
	VSOCK_CIDREG_A_STRICT,		/* u8 */
	VSOCK_CIDREG_A_CID_MIN,		/* u32 */
	VSOCK_CIDREG_A_CID_MAX,		/* u32 */
	VSOCK_CIDREG_A_QUOTA,		/* u32 */
	VSOCK_CIDREG_A_PROTECTED_PORTS,	/* binary: u32 array */
	VSOCK_CIDREG_A_ENTRIES,		/* u32 */
	VSOCK_CIDREG_A_OP_STATS,	/* nest, one per operation */
	VSOCK_CIDREG_A_OP,		/* u32, enum vsock_cidreg_op */
	VSOCK_CIDREG_A_ALLOWED,		/* u64 */
	VSOCK_CIDREG_A_DENIED,		/* u64 */
	VSOCK_CIDREG_A_AUDITED,		/* u64 */
	VSOCK_CIDREG_A_EVENT,		/* u32, enum vsock_cidreg_event */
	VSOCK_CIDREG_A_REASON,		/* u32, enum vsock_cidreg_reason */
	VSOCK_CIDREG_A_PID,		/* u32 */
	VSOCK_CIDREG_A_PORT,		/* u32 */
	VSOCK_CIDREG_A_TO_NETNS_INO,	/* u64 */
	__VSOCK_CIDREG_A_MAX
};

#define VSOCK_CIDREG_A_MAX (__VSOCK_CIDREG_A_MAX - 1)

/** enum vsock_cidreg_event - @VSOCK_CIDREG_A_EVENT of an event. */
enum vsock_cidreg_event {
	VSOCK_CIDREG_EVENT_RESERVED = 1,
	VSOCK_CIDREG_EVENT_RELEASED = 2,
	VSOCK_CIDREG_EVENT_TRANSFERRED = 3,
	VSOCK_CIDREG_EVENT_ATTACHED = 4,
	VSOCK_CIDREG_EVENT_DETACHED = 5,
	VSOCK_CIDREG_EVENT_ADOPTED = 6,
	VSOCK_CIDREG_EVENT_DENIED = 7,
};

/** enum vsock_cidreg_reason - @VSOCK_CIDREG_A_REASON of a release. */
enum vsock_cidreg_reason {
	VSOCK_CIDREG_REASON_RELEASED = 1,
	VSOCK_CIDREG_REASON_LEASE_CLOSED = 2,
	VSOCK_CIDREG_REASON_NETNS_EXIT = 3,
	VSOCK_CIDREG_REASON_DEVICE_CLOSED = 4,
};

#endif /* _UAPI_LINUX_VSOCK_CIDREG_H */
