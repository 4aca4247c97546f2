#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a debug kernel (KASAN, lockdep, kmemleak, UBSAN) of
# selftests/vm/kernels for the VM suite from a Debian linux-source-X
# tarball: tinyconfig + ../config + the row's fragments (debug.config, and
# rt.config for PREEMPT_RT). The host's tarball for SOURCE "installed",
# else the one fetch-kernel.sh fetches. The result is cached under
# $CIDREG_CACHE keyed by the tarball and the fragments, so only the first
# run pays for it.
#
#   build-debug-kernel.sh [NAME]     (default: debug)
#
# Prints the directory holding bzImage, modroot/ and build/ (a KDIR).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
prog=build-debug-kernel
. "$here/lib.sh"
name=${1:-debug}
kernel_row "$name"
case $KT_WHAT in
linux-source-*) ;;
*) die "$name is not built here ($KT_WHAT); vmrun.sh -k $name prepares it" ;;
esac
[ "$KT_ARCH" = amd64 ] || die "$name: only amd64 kernels are built here, not $KT_ARCH"
if [ "$KT_SOURCE" = installed ]; then
	tarball=/usr/src/$KT_WHAT.tar.xz
	[ -r "$tarball" ] || die "$tarball not found: install $KT_WHAT (scripts/deps.sh)"
else
	tarball=$("$here/fetch-kernel.sh" "$name")/source.tar.xz || exit 1
fi
fragments=()
IFS=, read -ra frags <<<"$KT_CONFIG"
for f in "${frags[@]}"; do
	[ -r "$here/$f" ] || die "$name: config fragment $here/$f not found"
	fragments+=("$here/$f")
done
cache=$(cache_dir)
jobs=${JOBS:-$(nproc)}

for t in gcc make flex bison bc; do
	command -v $t >/dev/null || die "$t missing: run scripts/deps.sh"
done

# One build at a time (make check starts one early; VMs wait for it).
mkdir -p "$cache"
exec 8>"$cache/.lock"
flock 8

key=$( (stat -L -c '%s %Y' "$tarball"; cat "$here/../config" "${fragments[@]}") |
	sha256sum | cut -c1-16)
out=$cache/debug-kernel-$key
if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi

src=$(source_tree "$tarball") || exit 1

echo "build-debug-kernel: building $name in $out (10 to 20 minutes on 2 cores)" >&2
rm -rf "$out" && mkdir -p "$out/build"
log=$out/build.log
{
	make -C "$src" O="$out/build" ARCH=x86_64 tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out/build" \
		"$out/build/.config" "$here/../config" "${fragments[@]}"
	make -C "$src" O="$out/build" ARCH=x86_64 olddefconfig
} >"$log" 2>&1 || die "configuring failed, see $log"

# Every option we asked for must have survived olddefconfig, unless this
# kernel has no such option (one another version has: see the fragment's
# comments).
kconfigs=$(cd "$src" && find . -name 'Kconfig*' -type f)
missing=$(grep -h '^CONFIG_' "$here/../config" "${fragments[@]}" |
	while IFS= read -r line; do
		opt=${line%%=*} val=${line#*=}
		if ! (cd "$src" && grep -qE "^(menu)?config ${opt#CONFIG_}\$" $kconfigs); then
			echo "$prog: $opt: not an option of this kernel, ignored" >>"$log"
		elif [ "$val" = n ]; then
			grep -q "^$opt=" "$out/build/.config" && echo "$line"
		else
			grep -qx "$line" "$out/build/.config" || echo "$line"
		fi
	done) || true
[ -z "$missing" ] || die "options lost by olddefconfig: $(echo $missing)"

make -C "$src" O="$out/build" ARCH=x86_64 -j"$jobs" bzImage modules \
	>>"$log" 2>&1 || die "kernel build failed, see the end of $log"
make -C "$src" O="$out/build" ARCH=x86_64 INSTALL_MOD_PATH="$out/modroot" \
	INSTALL_MOD_STRIP=1 DEPMOD=/sbin/depmod modules_install >>"$log" 2>&1 ||
	die "modules_install failed, see $log"
cp "$out/build/arch/x86/boot/bzImage" "$out/bzImage"
touch "$out/.done"
echo "$out"
