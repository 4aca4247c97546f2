# SPDX-License-Identifier: GPL-2.0
#
# Included by kernel/Kbuild and selftests/modules/Kbuild (which build
# against compat.h too): what the preprocessor cannot see, a struct member
# or an export that stable kernels backport without a version change.
# compat.h says what each one is for.
ccflags-y += $(shell grep -qs 'cap_sys_admin:1;' \
	$(srctree)/include/net/genetlink.h && \
	echo -DCIDREG_HAVE_MCGRP_CAP_SYS_ADMIN)
ccflags-y += $(shell grep -qs '(\*bind)(int mcgrp);' \
	$(srctree)/include/net/genetlink.h && \
	echo -DCIDREG_HAVE_GENL_BIND)
ccflags-y += $(shell grep -qsw ftrace_free_filter $(objtree)/Module.symvers && \
	echo -DCIDREG_HAVE_FTRACE_FREE_FILTER)
ccflags-y += $(shell grep -qsw __is_endbr \
	$(srctree)/arch/x86/include/asm/ibt.h && \
	echo -DCIDREG_HAVE___IS_ENDBR)
