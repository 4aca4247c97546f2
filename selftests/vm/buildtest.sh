#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The build checks of a Debian kernel against its headers (vmtest.sh runs
# them first for each fetched kernel; arm64 is cross-built with
# aarch64-linux-gnu-gcc, 7.x in its suite's root, see kbuild_args):
#
#   buildtest.sh NAME
#
# - where the kernel can move the instruction pointer from an ftrace
#   callback (arm64: DYNAMIC_FTRACE_WITH_ARGS), the module and the test
#   modules build with W=1 and sparse without a warning, and the module's
#   vermagic names that kernel;
# - where it cannot, the build fails with compat.h's one line saying why,
#   and nothing else.
#
# Prints one line per check, then "NAME: N passed, N failed"; the
# result goes to build/NAME/buildtest.json (scripts/results.py).
set -uo pipefail
prog=buildtest
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: buildtest.sh NAME"
name=$1
kernel_prepare "$name"
echo "$prog: $name is $K_VER ($K_ARCH)"
passed=0 failed=0 checks=()
result=$build_root/$name/buildtest.json
mkdir -p "$build_root/$name" && rm -f "$result"
check() { # DESCRIPTION RESULT(0 or not)
	if [ "$2" -eq 0 ]; then
		echo "ok: $name: $1"
		passed=$((passed + 1))
		checks+=(--check "buildtest: $1=ok")
	else
		echo "not ok: $name: $1"
		failed=$((failed + 1))
		checks+=(--check "buildtest: $1=fail")
	fi
}

dir=$build_root/$name/buildtest
rm -rf "$dir"
module_sources "$dir"
kbuild_args
flags=(W=1 C=1)
[ -n "$KB_ROOT" ] || command -v sparse >/dev/null ||
	die "sparse not found: run scripts/deps.sh"

conf=$K_KDIR/include/config/auto.conf
can_redirect=1
if [ "$K_ARCH" = arm64 ] && ! grep -q '^CONFIG_DYNAMIC_FTRACE_WITH_ARGS=y' "$conf"; then
	can_redirect=0
fi

kmake "$dir" "${flags[@]}" modules >"$dir/build.log" 2>&1
rc=$?
if [ "$can_redirect" -eq 1 ]; then
	check "the module builds for $K_VER ($K_ARCH)" "$rc"
	n=$(grep -c 'warning:' "$dir/build.log")
	check "no warning with W=1 and sparse ($n)" "$n"
	! grep -q 'is not available or not up to date' "$dir/build.log"
	check "sparse ran (kbuild did not drop C=1)" $?
	vm=$(modinfo -F vermagic "$dir/kernel/vsock_cidreg.ko" 2>/dev/null | cut -d' ' -f1)
	[ "$vm" = "$K_VER" ]
	check "the module's vermagic names $K_VER (it has: ${vm:-none})" $?
	kmake "$dir/modules" "${flags[@]}" modules >"$dir/test-build.log" 2>&1
	rc=$?
	n=$(grep -c 'warning:' "$dir/test-build.log")
	check "the test modules build, without a warning ($n)" $((rc + n))
else
	[ "$rc" -ne 0 ]
	check "the build of $K_VER ($K_ARCH, no DYNAMIC_FTRACE_WITH_ARGS) is refused" $?
	errors=$(grep 'error:' "$dir/build.log" | sort -u)
	grep -q 'error: #error "vsock_cidreg: arm64 without DYNAMIC_FTRACE_WITH_ARGS' <<<"$errors" &&
		[ "$(wc -l <<<"$errors")" -eq 1 ]
	check "with the one line that says why" $?
	[ ! -e "$dir/kernel/vsock_cidreg.ko" ]
	check "and no module" $?
fi
[ "$failed" -eq 0 ] || echo "$prog: the build logs are in $dir" >&2
"$repo/scripts/results.py" merge "$result" --label "$name" --meta "release=$K_VER" \
	"${checks[@]}" >/dev/null || true
echo "$name: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
