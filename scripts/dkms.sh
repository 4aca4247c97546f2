#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module under DKMS, rebuilt for every kernel the node installs:
#
#   scripts/dkms.sh source DIR   copy what dkms builds from into DIR
#   scripts/dkms.sh install      source to /usr/src/vsock-cidreg-VERSION,
#                                then dkms add, build, install (for KVER,
#                                or the running kernel)
#   scripts/dkms.sh uninstall    dkms remove --all, and the sources
set -euo pipefail
cd "$(dirname "$0")/.."
name=vsock-cidreg
version=$(cat VERSION)
src=/usr/src/$name-$version

die() { echo "dkms.sh: $*" >&2; exit 1; }

copy_source() { # DIR
	mkdir -p "$1/kernel" "$1/include/uapi/linux"
	cp dkms.conf Makefile Kbuild VERSION "$1/"
	cp kernel/Kbuild kernel/compat.mk kernel/*.[ch] "$1/kernel/"
	cp include/uapi/linux/vsock_cidreg.h include/uapi/linux/vsock_cidreg_nl.h \
		"$1/include/uapi/linux/"
	cp include/vsock_cidreg_names.h "$1/include/"
}

case ${1:-} in
source)
	[ -n "${2:-}" ] || die "usage: scripts/dkms.sh source DIR"
	copy_source "$2"
	;;
install)
	[ "$(id -u)" -eq 0 ] || die "must run as root (dkms writes /usr/src, /var/lib/dkms, /lib/modules)"
	command -v dkms >/dev/null || die "dkms not found: apt-get install dkms"
	grep -qx "PACKAGE_VERSION=\"$version\"" dkms.conf ||
		die "dkms.conf's PACKAGE_VERSION is not VERSION ($version): fix dkms.conf"
	kver=${KVER:-$(uname -r)}
	rm -rf "$src"
	copy_source "$src"
	dkms status -m "$name" -v "$version" | grep -q . || dkms add -m "$name" -v "$version"
	dkms build -m "$name" -v "$version" -k "$kver"
	dkms install -m "$name" -v "$version" -k "$kver"
	;;
uninstall)
	[ "$(id -u)" -eq 0 ] || die "must run as root"
	if dkms status -m "$name" -v "$version" | grep -q .; then
		dkms remove -m "$name" -v "$version" --all
	fi
	rm -rf "$src"
	;;
*)
	die "usage: scripts/dkms.sh source DIR | install | uninstall"
	;;
esac
