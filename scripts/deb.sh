#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: the Debian packages, built as a distribution builds them: from
# a clean copy of the committed tree (git archive of HEAD, or with
# --worktree the files git tracks as they are now), with dpkg-buildpackage
# (source and binaries, unsigned), then lintian, which must report no
# error and no warning. The packages land in build/deb.
#
# --arch arm64 cross-builds the architecture-dependent packages (libcidreg0,
# libcidreg-dev, cidctl; vsock-cidreg-dkms is "all") into build/deb-arm64,
# as Debian's cross builds do (dpkg-buildpackage -a arm64), in a bookworm
# root of its own made once by mmdebstrap with the arm64 libraries
# (libnl-genl-3-dev:arm64, libkmod-dev:arm64) and the cross compiler,
# cached; nothing of the machine's dpkg or apt changes. lintian checks them
# here, as for amd64.
set -euo pipefail
cd "$(dirname "$0")/.."
name=vsock-cidreg
version=$(cat VERSION)
die() { echo "deb: $*" >&2; exit 1; }
worktree='' arch=''
while [ $# -gt 0 ]; do
	case $1 in
	--worktree) worktree=1 ;;
	--arch) arch=${2:?--arch needs an architecture}; shift ;;
	*) die "usage: deb.sh [--worktree] [--arch arm64]" ;;
	esac
	shift
done
host_arch=$(dpkg --print-architecture)
[ "${arch:=$host_arch}" = "$host_arch" ] || [ "$arch" = arm64 ] ||
	die "--arch: $arch is not one this script cross-builds for (arm64)"
out=$PWD/build/deb
[ "$arch" = "$host_arch" ] || out=$PWD/build/deb-$arch
src=$out/$name-$version

for t in dpkg-buildpackage dh dh_dkms lintian fakeroot; do
	command -v $t >/dev/null || die "$t not found: run scripts/deps.sh"
done
[ "$(dpkg-parsechangelog -S Version)" = "$version" ] ||
	die "debian/changelog's version is not VERSION ($version): add a changelog entry (dch -v $version)"
git rev-parse --git-dir >/dev/null 2>&1 ||
	die "not a git checkout: make deb packages what git tracks"

# The cross build's root: bookworm, the packages a cross build of this
# source needs; made once (a few minutes), then unpacked for each build.
cross_root() {
	local cache pkgs key tar
	cache=${CIDREG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vsock-cidreg}
	pkgs="build-essential,crossbuild-essential-$arch,debhelper,dh-dkms,libnl-genl-3-dev:$arch,libkmod-dev:$arch,pkg-config,fakeroot"
	key=$(echo "$arch $pkgs" | sha256sum | cut -c1-12)
	tar=$cache/roots/deb-$arch-$key.tar
	if [ ! -s "$tar" ]; then
		command -v mmdebstrap >/dev/null || die "mmdebstrap not found: run scripts/deps.sh --arm64"
		mkdir -p "$cache/roots"
		mmdebstrap --mode=root --variant=apt --architectures="$host_arch,$arch" \
			--include="$pkgs" bookworm "$tar.part" >"$out/root.log" 2>&1 ||
			{ tail -n 20 "$out/root.log" >&2; die "mmdebstrap failed: $out/root.log"; }
		mv "$tar.part" "$tar"
	fi
	echo "$tar"
}

cross_build() {
	local tar root=$out/root
	tar=$(cross_root)
	mkdir -p "$root"
	tar -xf "$tar" -C "$root"
	cp -a "$src" "$root/build"
	unshare --mount --propagation private -- bash -euc '
		r=$1 a=$2
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		exec chroot "$r" env CC=aarch64-linux-gnu-gcc DEB_BUILD_OPTIONS=nocheck \
			sh -c "cd /build && dpkg-buildpackage -a$a -Pcross,nocheck -B -us -uc"
	' cross "$root" "$arch" >"$out/build.log" 2>&1 ||
		{ tail -n 40 "$out/build.log"; die "dpkg-buildpackage -a$arch failed: $out/build.log"; }
	mv "$root"/*.deb "$root"/*.changes "$root"/*.buildinfo "$out/"
	rm -rf "$root"
}

rm -rf "$out" && mkdir -p "$src"
if [ -n "$worktree" ]; then
	# What git tracks, as it is now: a tracked file deleted here (make
	# check-kernels removes the results of other content from
	# selftests/vm/passed/) is not packaged.
	git ls-files -z | while IFS= read -r -d '' f; do
		[ ! -e "$f" ] || printf '%s\0' "$f"
	done | xargs -0 tar -cf - | tar -xf - -C "$src"
else
	git archive HEAD | tar -xf - -C "$src"
fi
if [ "$arch" = "$host_arch" ]; then
	(cd "$src" && dpkg-buildpackage -us -uc -sa >"$out/build.log" 2>&1) ||
		{ tail -n 40 "$out/build.log"; die "dpkg-buildpackage failed: $out/build.log"; }
else
	cross_build
fi
changes=$(ls "$out"/*.changes)
lintian --fail-on error,warning \
	"$changes" | tee "$out/lintian.log" || die "lintian found errors or warnings: $out/lintian.log"
ls "$out"/*.deb
