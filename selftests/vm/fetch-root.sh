#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch, verify, unpack and cache a Debian userland:
#
#   fetch-root.sh [-u] ARCH      the userland a VM of a foreign
#                                architecture (arm64) runs the suite with:
#                                Debian 12's bash, coreutils, util-linux,
#                                kmod, iproute2, socat, QEMU and busybox
#                                for ARCH, with what they depend on;
#   fetch-root.sh [-u] -k NAME   the root that modules for kernel NAME of
#                                selftests/vm/kernels are built in: its
#                                suites' make, compiler, sparse and the
#                                kernel's headers and kbuild, installed as
#                                they name each other (kmake in lib.sh).
#
# Prints the directory of the root. A VM lays a userland over the host's
# root (shared over 9p), so a program found in it wins over the host's and
# every path the suite names (the repository, the stage) stays the host's.
# A build root is for kernels whose kbuild programs need a newer C library
# than this machine's (Debian sid's need glibc 2.38, Debian 12 has 2.36)
# and whose compiler is newer than ours: kmake runs make in it with chroot.
# Packages come through the private apt configuration of fetch-kernel.sh
# and are checked against the archive's index, then and on every later run.
set -euo pipefail
prog=fetch-root
. "$(dirname "$0")/lib.sh"

opt_k=0
fetch_args "fetch-root.sh [-u] ARCH | fetch-root.sh [-u] -k NAME" uk "$@"
if [ "$opt_k" -eq 1 ]; then
	name=$arg
	kernel_row "$name"
	case $KT_SOURCE:$KT_WHAT in
	installed:* | *:linux-source-*)
		die "$name is built with this machine's compiler: it needs no build root" ;;
	esac
	arch=$(dpkg --print-architecture)
	[ "$KT_ARCH" = "$arch" ] ||
		die "$name: build roots are for $arch kernels, not $KT_ARCH (those are cross-built)"
	kernel=$("$(dirname "$0")/fetch-kernel.sh" "$name") || exit 1
	suites=$KT_SOURCE
	# make and sparse for the module, the headers for the kernel (they
	# bring its kbuild and its compiler), a shell and the tools kbuild
	# runs.
	pkgs=(bash dash coreutils sed grep mawk findutils diffutils make sparse
		dwarves libc6-dev "linux-headers-$(cat "$kernel/release")")
	what=build-$name
else
	arch=$arg
	[ "$arch" != "$(dpkg --print-architecture)" ] ||
		die "$arch is this machine's architecture: its VMs use the host's root"
	case $arch in
	arm64) qemu=qemu-system-arm ;;
	*) die "no root known for $arch (arm64 is)" ;;
	esac
	suites=bookworm
	# What the suite runs in the guest: guest-init.sh and run_tests.sh
	# (bash, coreutils, util-linux's mount and the like), the tests'
	# commands (modprobe, ip netns, socat, timeout, grep, cmp, QEMU with
	# vhost-vsock-pci) and the initramfs (busybox).
	pkgs=(bash dash coreutils util-linux mount hostname kmod iproute2 procps
		grep sed gawk findutils diffutils socat busybox-static "$qemu")
	what=$arch-bookworm
fi

cache=$(cache_dir)
# Keyed by the list and what is done to it here (recipe), so that a
# package added or a change below makes a new root.
recipe=3
# A build root: 4, since a sparse too old for its kernel is replaced.
[ "$opt_k" -eq 0 ] || recipe=4
out=$cache/roots/$what-$(echo "$recipe ${pkgs[*]}" | sha256sum | cut -c1-12)
mkdir -p "$cache/roots"
exec 8>"$cache/roots/.$what.lock"
flock 8

if [ "$refresh" -eq 0 ] && cached_ok "$out"; then
	echo "$out/root"
	exit 0
fi

private_apt "$arch" "$suites" "$refresh"
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

# Merged /usr, as Debian 12 installs it: /bin, /sbin, /lib (and /lib64,
# the dynamic loader's) are links into /usr, so the guest's PATH finds
# these programs before the host's.
r=$tmp/root
dirs=(bin sbin lib)
[ ! -e "$r/lib64" ] && [ ! -e "$r/usr/lib64" ] || dirs+=(lib64)
for d in "${dirs[@]}"; do
	if [ -d "$r/$d" ] && [ ! -L "$r/$d" ]; then
		mkdir -p "$r/usr/$d"
		cp -a "$r/$d/." "$r/usr/$d/"
		rm -rf "${r:?}/$d"
	fi
	ln -sfn "usr/$d" "$r/$d"
done
# A build root whose suite's sparse is older than its kernel's C (trixie's
# 0.6.4 fails on __typeof_unqual__, which 7.3 uses: kbuild then drops
# C=1 and buildtest.sh fails): sparse from sid, which has the first that
# takes it, checked like every package here.
sparse_takes_the_kernels_c() {
	local out
	printf 'static inline int u(const int *q)\n{\n\t__typeof_unqual__(*q) v = *q;\n\treturn v;\n}\n' \
		>"$r/tmp/checker.c"
	out=$(chroot "$r" /usr/bin/sparse /tmp/checker.c 2>&1) || return 1
	! grep -q error <<<"$out"
}
if [ "$opt_k" -eq 1 ]; then
	mkdir -p "$r/tmp"
	if ! sparse_takes_the_kernels_c; then
		private_apt amd64 sid "$refresh"
		mkdir -p "$tmp/sid/debs"
		(cd "$tmp/sid/debs" && apt-get "${aptopts[@]}" download sparse) \
			>"$tmp/sid/download.log" 2>&1 ||
			die "downloading sid's sparse failed: $(grep -m1 -E '^(E|Err):' "$tmp/sid/download.log")"
		debs_verify "$tmp/sid"
		dpkg-deb -x "$tmp"/sid/debs/sparse_*.deb "$r" || die "cannot unpack sid's sparse"
		sparse_takes_the_kernels_c ||
			die "neither $suites's sparse nor sid's takes __typeof_unqual__"
		echo "$prog: $name: sparse from sid ($(chroot "$r" /usr/bin/sparse --version))" >&2
	fi
	rm -f "$r/tmp/checker.c"
fi
# What maintainer scripts would have made: /bin/sh, and busybox's name.
ln -sfn dash "$r/usr/bin/sh"
# awk, an alternative: without it the host's (another architecture's) is
# found through the guest's PATH, and run_tests.sh cannot run it.
[ "$opt_k" -eq 1 ] || ln -sfn gawk "$r/usr/bin/awk"
if [ "$opt_k" -eq 1 ]; then
	# awk (an alternative), and a /tmp.
	ln -sfn mawk "$r/usr/bin/awk"
	mkdir -p "$r/tmp" && chmod 1777 "$r/tmp"
	# kbuild runs scripts/checker-valid.sh for C=1 (6.13+) and, when it
	# is missing, builds without sparse; Debian's 7.x headers lack it.
	# This one answers as the kernel's does: 1 when the checker takes C
	# with __typeof_unqual__ without an error.
	for common in "$r"/usr/src/linux-headers-*-common; do
		cv=$common/scripts/checker-valid.sh
		grep -qs checker-valid.sh "$common/Makefile" && [ ! -e "$cv" ] || continue
		cat >"$cv" <<-'EOF'
		#!/bin/sh
		# Written by vsock-cidreg's selftests/vm/fetch-root.sh (Debian's
		# headers lack the kernel's own): prints 1 if the checker "$@"
		# takes this C without an error, else 0.
		command -v "$1" >/dev/null || { echo 0; exit 0; }
		t=$(mktemp --suffix=.c) || exit 1
		trap 'rm -f "$t"' EXIT
		printf 'static inline int u(const int *q)\n{\n\t__typeof_unqual__(*q) v = *q;\n\treturn v;\n}\n' >"$t"
		"$@" "$t" 2>&1 | awk -v c=1 '/error/ { c = 0 } END { print c }'
		EOF
		chmod 755 "$cv"
	done
fi
[ "$opt_k" -eq 1 ] || [ -x "$r/usr/bin/busybox" ] ||
	die "busybox-static holds no /bin/busybox"
[ -x "$r/usr/bin/bash" ] || die "bash holds no /bin/bash"

rm -rf "$out"
mv "$tmp" "$out"
touch "$out/.done"
echo "$out/root"
