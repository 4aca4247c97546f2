#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch, verify, unpack and cache a Debian kernel of selftests/vm/kernels:
# its image, its modules and the headers to build ours against.
#
#   fetch-kernel.sh [-u] NAME
#
# Prints the directory that holds: image (the kernel to boot), modroot/
# (lib/modules/RELEASE, with depmod run), build/ (a KDIR) and release; or,
# for a kernel built from a linux-source-X package, source.tar.xz (the
# tarball build-debug-kernel.sh builds from).
#
# Other suites than the host's are reached through a private apt
# configuration under the cache (its own sources list, lists and
# archives), never through the machine's own sources, and nothing is
# installed: the packages are unpacked with dpkg -x. apt checks each
# package against the archive's signed index; we record the index's
# SHA256 and check the cached packages against it again on every later
# run. -u refreshes the package lists first (a newer kernel); without it a
# cached kernel is reused as it is.
set -euo pipefail
prog=fetch-kernel
. "$(dirname "$0")/lib.sh"

fetch_args "fetch-kernel.sh [-u] NAME" u "$@"
name=$arg

kernel_row "$name"
case $KT_SOURCE in
installed)
	die "$name is not fetched (source: $KT_SOURCE); vmrun.sh -k $name prepares it" ;;
esac
for t in apt-get dpkg-deb depmod sha256sum; do
	command -v $t >/dev/null || die "$t missing: run scripts/deps.sh"
done

cache=$(cache_dir)
# Keyed by the row too: a row that changes its suites or its package is
# another kernel.
out=$cache/kernels/$name-$(echo "$KT_SOURCE $KT_WHAT" | sha256sum | cut -c1-8)
mkdir -p "$cache/kernels"
exec 8>"$cache/kernels/.$name.lock"
flock 8

if [ "$refresh" -eq 0 ] && cached_ok "$out"; then
	echo "$out"
	exit 0
fi

private_apt "$KT_ARCH" "$KT_SOURCE" "$refresh"

# WHAT may be a meta-package: follow it to the image with a release in
# its name, then take that release's headers and what they depend on. A
# linux-source-X package is taken alone.
depends() { # PACKAGE: its direct dependencies, first alternatives only
	apt-cache "${aptopts[@]}" depends --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances "$1" 2>/dev/null |
		awk '/^  Depends:/ { print $2 }'
}
image=$KT_WHAT
# A pattern (linux-image-6.18.*+deb13-amd64): the newest package of the
# suites whose name matches it and whose headers are there too (the
# archive keeps some images longer than their headers), a series
# followed as a meta-package would be.
if [[ $image == *'*'* ]]; then
	image=$(apt-cache "${aptopts[@]}" pkgnames linux-image- 2>/dev/null |
		while read -r p; do
			# shellcheck disable=SC2053
			if [[ $p == $KT_WHAT ]]; then echo "$p"; fi
		done | sort -rV | while read -r p; do
			r=${p#linux-image-}
			if apt-cache "${aptopts[@]}" show "linux-headers-$r" >/dev/null 2>&1; then
				echo "$p"
				break
			fi
		done)
	[ -n "$image" ] || die "no package of $KT_SOURCE matches $KT_WHAT with its headers"
fi
source=0
case $KT_WHAT in linux-source-*) source=1 ;; esac
for _ in 1 2 3; do
	[ "$source" -eq 0 ] || break
	next=$(depends "$image" | awk '/^linux-image-[0-9]/ && !n++')
	[ -n "$next" ] || break
	image=$next
done
if [ "$source" -eq 1 ]; then
	release=$(apt-cache "${aptopts[@]}" policy "$KT_WHAT" 2>/dev/null |
		awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }')
	[ -n "$release" ] || die "no $KT_WHAT in $KT_SOURCE"
	pkgs=("$KT_WHAT")
else
	release=${image#linux-image-}
	release=${release%-unsigned}
	[[ $release =~ ^[0-9] ]] ||
		die "$KT_WHAT in $KT_SOURCE does not lead to a linux-image-RELEASE package"
	headers=linux-headers-$release
	pkgs=("$image" "$headers")
	# Since 7.2 the image package is a shell over linux-binary-RELEASE
	# (the kernel) and linux-modules-RELEASE.
	for d in $(depends "$image"); do
		case $d in
		linux-*-"$release") pkgs+=("$d") ;;
		esac
	done
	for d in $(depends "$headers"); do
		case $d in
		linux-headers-*) pkgs+=("$d") ;;
		linux-kbuild-*) pkgs+=("${d%:*}:$host_arch") ;;
		esac
	done
fi
echo "$prog: $name is $release: ${pkgs[*]}" >&2

tmp=$out.new
rm -rf "$tmp" && mkdir -p "$tmp/debs" "$tmp/root"
(cd "$tmp/debs" && apt-get "${aptopts[@]}" download "${pkgs[@]}") \
	>"$tmp/download.log" 2>&1 ||
	die "downloading ${pkgs[*]} failed: $(grep -m1 -E '^(E|Err):' "$tmp/download.log")"
debs_verify "$tmp"
for deb in "$tmp"/debs/*.deb; do
	dpkg-deb -x "$deb" "$tmp/root" || die "cannot unpack ${deb##*/}"
done

if [ "$source" -eq 1 ]; then
	tarball=$(ls "$tmp"/root/usr/src/linux-source-*.tar.xz 2>/dev/null | head -n1)
	[ -n "$tarball" ] || die "$KT_WHAT holds no /usr/src/linux-source-*.tar.xz"
	ln -s "${tarball#"$tmp"/}" "$tmp/source.tar.xz"
	echo "$release" >"$tmp/release"
	rm -rf "$out"
	mv "$tmp" "$out"
	touch "$out/.done"
	echo "$out"
	exit 0
fi

# The image and its modules, with the indexes depmod makes at install.
# /boot/vmlinuz-RELEASE, or since 7.2 /usr/lib/modules/RELEASE/vmlinuz.
img=$(ls "$tmp"/root/boot/vmlinu[xz]-"$release" \
	"$tmp"/root/usr/lib/modules/"$release"/vmlinu[xz] \
	2>/dev/null | head -n1) || true
[ -n "$img" ] || die "${pkgs[*]} hold no vmlinuz-$release"
ln -s "${img#"$tmp"/}" "$tmp/image"
mods=lib/modules
[ -d "$tmp/root/$mods/$release/kernel" ] || mods=usr/lib/modules
[ -d "$tmp/root/$mods/$release/kernel" ] || die "${pkgs[*]} hold no modules"
mkdir -p "$tmp/modroot/lib"
ln -s "../../root/$mods" "$tmp/modroot/lib/modules"
depmod -b "$tmp/modroot" "$release" || die "depmod failed for $release"

# The headers name their common half and kbuild by absolute paths.
kdir=$tmp/root/usr/src/linux-headers-$release
[ -f "$kdir/Makefile" ] || die "$headers holds no Makefile"
grep -rlI --include=Makefile '/usr/src/linux-headers-' "$tmp/root/usr/src" |
	xargs -r sed -i "s|/usr/src/linux-headers-|$out/root/usr/src/linux-headers-|g"
ln -s "root/usr/src/linux-headers-$release" "$tmp/build"
echo "$release" >"$tmp/release"

rm -rf "$out"
mv "$tmp" "$out"
touch "$out/.done"
echo "$out"
