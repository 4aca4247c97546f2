#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch, verify, unpack and cache the userland that a VM of a foreign
# architecture (arm64) runs the suite with: Debian 12's bash, coreutils,
# util-linux, kmod, iproute2, socat, QEMU and busybox for ARCH, with what
# they depend on.
#
#   fetch-root.sh [-u] ARCH
#
# Prints the directory of the root. The VM lays it over the host's root
# (shared over 9p), so a program found in it wins over the host's and
# every path the suite names (the repository, the stage) stays the host's.
# Packages come through the private apt configuration of fetch-kernel.sh
# and are checked against the archive's index, then and on every later run.
set -euo pipefail
prog=fetch-root
. "$(dirname "$0")/lib.sh"

fetch_args "fetch-root.sh [-u] ARCH" "$@"
arch=$arg
[ "$arch" != "$(dpkg --print-architecture)" ] ||
	die "$arch is this machine's architecture: its VMs use the host's root"
case $arch in
arm64) qemu=qemu-system-arm ;;
*) die "no root known for $arch (arm64 is)" ;;
esac
for t in apt-get dpkg-deb sha256sum; do
	command -v $t >/dev/null || die "$t missing: run scripts/deps.sh"
done

# What the suite runs in the guest: guest-init.sh and run_tests.sh (bash,
# coreutils, util-linux's mount and the like), the tests' commands
# (modprobe, ip netns, socat, timeout, grep, cmp, QEMU with vhost-vsock-pci)
# and the initramfs (busybox).
pkgs=(bash dash coreutils util-linux mount hostname kmod iproute2 procps
	grep sed gawk findutils diffutils socat busybox-static "$qemu")

cache=$(cache_dir)
# Keyed by the list, so that a package added makes a new root.
out=$cache/roots/$arch-bookworm-$(echo "${pkgs[*]}" | sha256sum | cut -c1-12)
mkdir -p "$cache/roots"
exec 8>"$cache/roots/.$arch.lock"
flock 8

if [ "$refresh" -eq 0 ] && cached_ok "$out"; then
	echo "$out/root"
	exit 0
fi

private_apt "$arch" bookworm "$refresh"
tmp=$out.new
rm -rf "$tmp" && mkdir -p "$tmp/debs" "$tmp/root"
# The packages and everything they depend on, as apt resolves them for an
# empty system (no recommends).
apt-get "${aptopts[@]}" -s -y --no-install-recommends install "${pkgs[@]}" \
	>"$tmp/resolve.log" 2>&1 ||
	die "cannot resolve ${pkgs[*]} for $arch: $(grep -m1 -E '^E:' "$tmp/resolve.log")"
# A package already in the pool (an earlier root's) is not downloaded
# again; debs_verify checks it all the same.
pool=$cache/roots/debs-$arch
mkdir -p "$pool"
need=()
total=0
while read -r p v a; do
	total=$((total + 1))
	f=${p}_${v//:/%3a}_$a.deb
	[ -f "$pool/$f" ] || need+=("$p=$v")
	echo "$f"
done < <(sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) [^[]*\[\([a-z0-9]*\)\]).*/\1 \2 \3/p' \
	"$tmp/resolve.log") >"$tmp/files"
echo "$prog: $arch root: $total packages, ${#need[@]} to download" >&2
if [ ${#need[@]} -gt 0 ]; then
	(cd "$pool" && apt-get "${aptopts[@]}" download "${need[@]}") \
		>"$tmp/download.log" 2>&1 ||
		die "downloading the $arch root failed: $(grep -m1 -E '^(E|Err):' "$tmp/download.log")"
fi
while read -r f; do
	ln "$pool/$f" "$tmp/debs/$f" || die "$f: not in $pool after the download"
done <"$tmp/files"
debs_verify "$tmp"
for deb in "$tmp"/debs/*.deb; do
	dpkg-deb -x "$deb" "$tmp/root" || die "cannot unpack ${deb##*/}"
done

# Merged /usr, as Debian 12 installs it: /bin, /sbin and /lib are links
# into /usr, so the guest's PATH finds these programs before the host's.
r=$tmp/root
for d in bin sbin lib; do
	if [ -d "$r/$d" ] && [ ! -L "$r/$d" ]; then
		mkdir -p "$r/usr/$d"
		cp -a "$r/$d/." "$r/usr/$d/"
		rm -rf "${r:?}/$d"
	fi
	ln -sfn "usr/$d" "$r/$d"
done
# What maintainer scripts would have made: /bin/sh, and busybox's name.
ln -sfn dash "$r/usr/bin/sh"
[ -x "$r/usr/bin/busybox" ] || die "busybox-static holds no /bin/busybox"
[ -x "$r/usr/bin/bash" ] || die "bash holds no /bin/bash"

rm -rf "$out"
mv "$tmp" "$out"
touch "$out/.done"
echo "$out/root"
