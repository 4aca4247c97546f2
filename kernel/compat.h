/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, each guarded by the version that made it.
 * Nothing else in the module tests LINUX_VERSION_CODE.
 */
#ifndef _VSOCK_CIDREG_COMPAT_H
#define _VSOCK_CIDREG_COMPAT_H

#include <linux/ftrace.h>
#include <linux/random.h>
#include <linux/version.h>
#include <net/genetlink.h>

/* get_random_u32_below() replaced prandom_u32_max() in 6.2 (and 6.1.y). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#define get_random_u32_below(ceil) prandom_u32_max(ceil)
#endif

/*
 * Redirecting a traced function from an ftrace callback:
 * - 5.11, "ftrace: Have the callbacks receive a struct ftrace_regs
 *   instead of pt_regs": callbacks get struct ftrace_regs, and x86 gets
 *   ftrace_instruction_pointer_set();
 * - 6.2, "ftrace: Rename ftrace_instruction_pointer_set() to
 *   ftrace_regs_set_instruction_pointer()";
 * - 6.13 makes struct ftrace_regs opaque: only the accessor works, which
 *   is all we use.
 * Earlier kernels are not supported yet.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#error "vsock_cidreg needs Linux 5.11 or later (struct ftrace_regs)"
#elif LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define cidreg_ftrace_regs ftrace_regs
#define cidreg_ftrace_set_ip(fregs, ip) ftrace_instruction_pointer_set(fregs, ip)
#else
#define cidreg_ftrace_regs ftrace_regs
#define cidreg_ftrace_set_ip(fregs, ip) \
	ftrace_regs_set_instruction_pointer(fregs, ip)
#endif

/*
 * 5.11, "ftrace: Reverse what the RECURSION flag means in the
 * ftrace_ops": callbacks ask for recursion protection with
 * FTRACE_OPS_FL_RECURSION (before, they had it unless they said
 * FTRACE_OPS_FL_RECURSION_SAFE).
 */
#define CIDREG_FTRACE_OPS_FL_RECURSION FTRACE_OPS_FL_RECURSION

/*
 * An architecture whose ftrace callbacks cannot move the instruction
 * pointer would leave every hook a no-op: arm64 can only with
 * DYNAMIC_FTRACE_WITH_ARGS (its WITH_REGS, 6.1 and earlier, ignores it).
 * The module also proves redirection at load (hooks.c, the canary).
 */
#if defined(CONFIG_ARM64) && !defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS)
#error "arm64 needs DYNAMIC_FTRACE_WITH_ARGS: no hook could redirect a call"
#endif
#if !defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS) && !defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS)
#error "vsock_cidreg needs CONFIG_DYNAMIC_FTRACE_WITH_REGS or _WITH_ARGS to redirect calls"
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
 * 6.1.y, so tested by its macro, not by version). A kernel without it
 * would let anyone listen: no build there. (Debian's 5.10 headers have
 * only a cap_sys_admin bit; using it is for the 5.10 port.)
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define CIDREG_MCGRP_NET_ADMIN .flags = GENL_MCAST_CAP_NET_ADMIN
#else
#error "no way to restrict who joins the events group: it would leak every netns"
#endif

/*
 * 6.19 passes struct sockaddr_unsized to proto_ops.bind; the hooks take
 * __vsock_bind(), which gets a struct sockaddr_vm on every version, so
 * they need no change for it.
 */

/*
 * 7.0 gives vsock network namespaces and changes the prototypes of vsock
 * and vhost-vsock functions around the ones hooked here. A wrapper whose
 * prototype no longer matches would crash the kernel, so the module does
 * not build there until it is ported and tested (Documentation/linux-7.0.md).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
#error "vsock_cidreg is not yet ported to Linux 7.0 (Documentation/linux-7.0.md)"
#endif

/*
 * With CONFIG_X86_KERNEL_IBT (5.18+) a function starts with ENDBR64 and a
 * kprobe on it lands after that instruction; an indirect call must land on
 * it. Give back the function's real entry.
 */
#ifdef CONFIG_X86_KERNEL_IBT
#include <asm/ibt.h>
static inline void *cidreg_func_entry(void *kprobe_addr)
{
	u32 insn;

	if (!copy_from_kernel_nofault(&insn, kprobe_addr - ENDBR_INSN_SIZE,
				      sizeof(insn)) && is_endbr(insn))
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
