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

/* get_random_u32_below() replaced prandom_u32_max() in 6.2 (and 6.1.y). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#define get_random_u32_below(ceil) prandom_u32_max(ceil)
#endif

/*
 * Redirecting a traced function from an ftrace callback:
 * - 5.11 passes struct ftrace_regs to callbacks (before: struct pt_regs)
 *   and x86 gets ftrace_instruction_pointer_set();
 * - 6.2 renames it ftrace_regs_set_instruction_pointer();
 * - 6.13 makes struct ftrace_regs opaque: only the accessor works, which
 *   is all we use.
 * Earlier kernels are not supported.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#error "vsock_cidreg needs Linux 5.11 or later (struct ftrace_regs)"
#elif LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define cidreg_ftrace_set_ip(fregs, ip) ftrace_instruction_pointer_set(fregs, ip)
#else
#define cidreg_ftrace_set_ip(fregs, ip) \
	ftrace_regs_set_instruction_pointer(fregs, ip)
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
