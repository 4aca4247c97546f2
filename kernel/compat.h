/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, each guarded by the version that made it.
 * Nothing else in the module tests LINUX_VERSION_CODE.
 */
#ifndef _VSOCK_CIDREG_COMPAT_H
#define _VSOCK_CIDREG_COMPAT_H

#include <linux/ftrace.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <linux/vm_sockets.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

/* get_random_u32_below() replaced prandom_u32_max() in 6.2 (and 6.1.y). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#define get_random_u32_below(ceil) prandom_u32_max(ceil)
#endif

/*
 * Redirecting a traced function from an ftrace callback:
 * - up to 5.10, callbacks get the struct pt_regs that
 *   FTRACE_OPS_FL_SAVE_REGS saved, and move its instruction pointer;
 * - 5.11, "ftrace: Have the callbacks receive a struct ftrace_regs
 *   instead of pt_regs": callbacks get struct ftrace_regs, and x86 gets
 *   ftrace_instruction_pointer_set();
 * - 6.2, "ftrace: Rename ftrace_instruction_pointer_set() to
 *   ftrace_regs_set_instruction_pointer()";
 * - 6.13 makes struct ftrace_regs opaque: only the accessor works, which
 *   is all we use.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#define cidreg_ftrace_regs pt_regs
#define cidreg_ftrace_set_ip(regs, ip) instruction_pointer_set(regs, ip)
#elif LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define cidreg_ftrace_regs ftrace_regs
#define cidreg_ftrace_set_ip(fregs, ip) ftrace_instruction_pointer_set(fregs, ip)
#else
#define cidreg_ftrace_regs ftrace_regs
#define cidreg_ftrace_set_ip(fregs, ip) \
	ftrace_regs_set_instruction_pointer(fregs, ip)
#endif

/*
 * Which registers the callback needs to move the instruction pointer:
 * with HAVE_DYNAMIC_FTRACE_WITH_ARGS (5.11, "ftrace/x86: Allow for
 * arguments to be passed in to ftrace_regs by default"; arm64 since 6.2)
 * every callback's ftrace_regs can, and asking for all of them
 * (FTRACE_OPS_FL_SAVE_REGS) fails with EINVAL where the architecture has
 * no WITH_REGS (arm64, Debian 6.12). Livepatch asks the same way.
 */
#ifdef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
#define CIDREG_FTRACE_OPS_FL_REGS 0
#else
#define CIDREG_FTRACE_OPS_FL_REGS FTRACE_OPS_FL_SAVE_REGS
#endif

/*
 * 5.11, "ftrace: Reverse what the RECURSION flag means in the
 * ftrace_ops": callbacks ask for recursion protection with
 * FTRACE_OPS_FL_RECURSION; before, they had it unless they said
 * FTRACE_OPS_FL_RECURSION_SAFE, so asking is saying nothing.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#define CIDREG_FTRACE_OPS_FL_RECURSION 0
#else
#define CIDREG_FTRACE_OPS_FL_RECURSION FTRACE_OPS_FL_RECURSION
#endif

/*
 * ftrace_free_filter() is exported to modules since 6.3, "ftrace: Export
 * ftrace_free_filter() to modules" (backported to 6.1.y; Kbuild looks
 * for it in Module.symvers). Where it is not, nothing is left for it to
 * free: the hooks remove their one filter address before they would call
 * it, and removing an ops' last address hands its hash back (an empty
 * filter is the shared EMPTY_HASH, which it never frees).
 */
#ifndef CIDREG_HAVE_FTRACE_FREE_FILTER
static inline void cidreg_ftrace_free_filter(struct ftrace_ops *ops)
{
}
#else
#define cidreg_ftrace_free_filter(ops) ftrace_free_filter(ops)
#endif

/* 5.12, "mm: slab: provide krealloc_array()". */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 12, 0)
static inline void *__must_check krealloc_array(void *p, size_t n,
						size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return krealloc(p, bytes, flags);
}
#endif

/*
 * 6.1, "genetlink: start to validate reserved header bytes": a family
 * says from which command on the reserved header bytes must be zero.
 * Before, they were never checked.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#define CIDREG_GENL_RESV_START_OP(op)
#else
#define CIDREG_GENL_RESV_START_OP(op) .resv_start_op = (op),
#endif

/*
 * 6.1, "genetlink: add helper for checking required attrs and use it":
 * tested by its macro. The fallback sets an extack message instead of the
 * missing-attribute attribute.
 */
#ifndef GENL_REQ_ATTR_CHECK
static inline bool cidreg_genl_req_attr_missing(struct genl_info *info,
						int attr)
{
	if (info->attrs[attr])
		return false;
	NL_SET_ERR_MSG(info->extack, "a required attribute is missing");
	return true;
}

#define GENL_REQ_ATTR_CHECK cidreg_genl_req_attr_missing
#endif

/*
 * An architecture whose ftrace callbacks cannot move the instruction
 * pointer would leave every hook a no-op: arm64 can only with
 * DYNAMIC_FTRACE_WITH_ARGS (its WITH_REGS, 6.1 and earlier, ignores it).
 * The module also proves redirection at load (hooks.c, the canary).
 */
#if defined(CONFIG_ARM64) && !defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS)
#error "vsock_cidreg: arm64 without DYNAMIC_FTRACE_WITH_ARGS (6.2+) cannot redirect calls"
#endif
#if !defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS) && !defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS)
#error "vsock_cidreg needs CONFIG_DYNAMIC_FTRACE_WITH_REGS or _WITH_ARGS to redirect calls"
#endif

/*
 * 5.11, "vm_sockets: Add VMADDR_FLAG_TO_HOST vsock flag": a connection can
 * ask to be forwarded to the host (svm_flags). Without the flag, tested by
 * its macro, no connection is.
 */
#ifdef VMADDR_FLAG_TO_HOST
#define cidreg_svm_to_host(svm) ((svm)->svm_flags & VMADDR_FLAG_TO_HOST)
#else
#define cidreg_svm_to_host(svm) false
#endif

/*
 * 6.6, "genetlink: use attrs from struct genl_info": a dump's parsed
 * attributes moved from genl_dumpit_info.attrs into its struct genl_info,
 * reached with genl_info_dump() ("genetlink: add genl_info_dump() helper").
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define cidreg_dump_attrs(cb) (genl_dumpit_info(cb)->attrs)
#else
#define cidreg_dump_attrs(cb) (genl_info_dump(cb)->attrs)
#endif

/*
 * Who may join the events group (every netns, pid and label of the node
 * goes there): CAP_NET_ADMIN, as GENL_MCAST_CAP_NET_ADMIN asks since 6.7,
 * "genetlink: add CAP_NET_ADMIN test for multicast bind" (backported to
 * 6.1.y, so tested by its macro, not by version). Older kernels (5.10.y)
 * have only the cap_sys_admin bit of "genetlink: allow multicast groups
 * to require CAP_SYS_ADMIN" (backported with the thermal fix, found by
 * Kbuild in the headers): CAP_SYS_ADMIN, stricter, is required there. A
 * kernel with neither would let anyone listen: no build there.
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define CIDREG_MCGRP_NET_ADMIN .flags = GENL_MCAST_CAP_NET_ADMIN
#elif defined(CIDREG_HAVE_MCGRP_CAP_SYS_ADMIN)
#define CIDREG_MCGRP_NET_ADMIN .cap_sys_admin = 1
#else
#error "no way to restrict who joins the events group: it would leak every netns"
#endif

/*
 * 6.6, "genetlink: Add per family bind/unbind callbacks": a family hears
 * of each join to one of its groups (found by Kbuild in the headers).
 */
#ifdef CIDREG_HAVE_GENL_BIND
#define CIDREG_GENL_BIND(fn) .bind = fn,
#else
#define CIDREG_GENL_BIND(fn)
#endif

/*
 * 6.19 passes struct sockaddr_unsized to proto_ops.bind; the hooks take
 * __vsock_bind(), which gets a struct sockaddr_vm on every version, so
 * they need no change for it.
 */

/*
 * 7.0 gives vsock network namespaces (the series "vsock: add namespace
 * support to vhost-vsock and loopback"): a netns is in vsock mode global
 * or local, fixed at its creation, and a vhost-vsock device takes the
 * netns of the process that opens it. Of the functions the module calls
 * or wraps, only vhost_vsock_get() changes: it takes the netns to look
 * the CID up in (NULL: global devices alone). Before 7.0 every netns is
 * global.
 */
struct net;
struct vhost_vsock;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
#define CIDREG_VSOCK_NETNS 1
typedef struct vhost_vsock *(*cidreg_vhost_get_t)(u32 guest_cid,
						  struct net *net);
#define cidreg_vhost_get(get, cid, net) ((get)(cid, net))
static inline bool cidreg_net_local(const struct net *net)
{
	return net && READ_ONCE(net->vsock.mode) == VSOCK_NET_MODE_LOCAL;
}
#else
typedef struct vhost_vsock *(*cidreg_vhost_get_t)(u32 guest_cid);
#define cidreg_vhost_get(get, cid, net) ((get)(cid))
static inline bool cidreg_net_local(const struct net *net)
{
	return false;
}
#endif

/*
 * With CONFIG_X86_KERNEL_IBT (5.18+) a function starts with ENDBR64 and a
 * kprobe on it lands after that instruction; an indirect call must land on
 * it. Give back the function's real entry. Between 6.12 and 7.2 (Debian
 * has no kernel in between) is_endbr() came to take the address and to be
 * out of modules' reach; __is_endbr() tests the value (compat.mk finds
 * it).
 */
#ifdef CONFIG_X86_KERNEL_IBT
#include <asm/ibt.h>
#ifdef CIDREG_HAVE___IS_ENDBR
#define cidreg_is_endbr(insn) __is_endbr(insn)
#else
#define cidreg_is_endbr(insn) is_endbr(insn)
#endif
static inline void *cidreg_func_entry(void *kprobe_addr)
{
	u32 insn;

	if (!copy_from_kernel_nofault(&insn, kprobe_addr - ENDBR_INSN_SIZE,
				      sizeof(insn)) && cidreg_is_endbr(insn))
		return kprobe_addr - ENDBR_INSN_SIZE;
	return kprobe_addr;
}
#else
static inline void *cidreg_func_entry(void *kprobe_addr)
{
	return kprobe_addr;
}
#endif

#endif /* _VSOCK_CIDREG_COMPAT_H */
