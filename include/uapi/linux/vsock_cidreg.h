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
 * zero (else E2BIG); none may exceed the page size (E2BIG), as openat2()
 * and clone3() cap theirs. Output is written back up to the smaller of the
 * two sizes. The kernel matches ioctl numbers on their type and number, not on
 * the size encoded in them, so binaries built against another version of
 * this header keep working.
 */
#ifndef _UAPI_LINUX_VSOCK_CIDREG_H
#define _UAPI_LINUX_VSOCK_CIDREG_H

#include <linux/ioctl.h>
#include <linux/types.h>
/* The netlink family, its enums and attributes: generated from its spec. */
#include <linux/vsock_cidreg_nl.h>

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

/** VSOCK_CIDREG_OP_COUNT - how many operations the hooks check. */
#define VSOCK_CIDREG_OP_COUNT		(VSOCK_CIDREG_OP_BIND_PORT + 1)

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
 * initial user namespace and a caller in the initial or a trusted netns or
 * with CAP_SYS_ADMIN there (EPERM). Errors: EINVAL (flags, reserved, the
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
 * The generic netlink family (Documentation/netlink/specs/vsock_cidreg.yaml and
 * Documentation/netlink.md).
 */
/* Earlier names of what <linux/vsock_cidreg_nl.h> calls FAMILY_NAME and _VERSION. */
#define VSOCK_CIDREG_GENL_NAME		VSOCK_CIDREG_FAMILY_NAME
#define VSOCK_CIDREG_GENL_VERSION	VSOCK_CIDREG_FAMILY_VERSION

#endif /* _UAPI_LINUX_VSOCK_CIDREG_H */
