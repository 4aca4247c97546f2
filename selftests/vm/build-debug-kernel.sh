#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug kernel (KASAN, lockdep, kmemleak, UBSAN) for the VM suite
# from Debian's linux-source-6.1 tarball: tinyconfig + ../config +
# debug.config. The result is cached under $CIDREG_CACHE keyed by the
# tarball and the two fragments, so only the first run pays for it.
#
# Prints the directory holding bzImage, modroot/ and build/ (a KDIR).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
prog=build-debug-kernel
. "$here/lib.sh"
tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
cache=$(cache_dir)
jobs=${JOBS:-$(nproc)}

[ -r "$tarball" ] || die "$tarball not found: install linux-source-6.1 (scripts/deps.sh)"
for t in gcc make flex bison bc; do
	command -v $t >/dev/null || die "$t missing: run scripts/deps.sh"
done

# One build at a time (make check starts one early; VMs wait for it).
mkdir -p "$cache"
exec 8>"$cache/.lock"
flock 8

key=$( (stat -c '%s %Y' "$tarball"; cat "$here/../config" "$here/debug.config") |
	sha256sum | cut -c1-16)
out=$cache/debug-kernel-$key
if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi

src=$cache/linux-src-$(stat -c '%s' "$tarball")
if [ ! -f "$src/.done" ]; then
	echo "build-debug-kernel: extracting $tarball" >&2
	rm -rf "$src" && mkdir -p "$src"
	tar -xf "$tarball" -C "$src" --strip-components=1
	touch "$src/.done"
fi

echo "build-debug-kernel: building in $out (about 5 minutes on 2 cores)" >&2
rm -rf "$out" && mkdir -p "$out/build"
log=$out/build.log
{
	make -C "$src" O="$out/build" ARCH=x86_64 tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out/build" \
		"$out/build/.config" "$here/../config" "$here/debug.config"
	make -C "$src" O="$out/build" ARCH=x86_64 olddefconfig
} >"$log" 2>&1 || die "configuring failed, see $log"

# Every option we asked for must have survived olddefconfig.
missing=$(grep -h '^CONFIG_' "$here/../config" "$here/debug.config" |
	while IFS= read -r line; do
		opt=${line%%=*} val=${line#*=}
		if [ "$val" = n ]; then
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
