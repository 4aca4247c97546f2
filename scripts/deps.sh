#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package that building, testing, the demo and CI
# need (--arm64: and make check-kernels' cross-builds). Idempotent and
# quick when all is there. As root it runs apt-get;
# otherwise it prints the apt-get line to run.
set -euo pipefail

packages=(
	# build: the module against Debian's headers, the tools
	build-essential make gcc pkg-config kmod sparse
	linux-headers-amd64 libnl-genl-3-dev libkmod-dev
	# Debian 6.12+ headers ship a vmlinux: kbuild adds BTF to modules
	dwarves
	# the kernel tree: kselftest_harness.h, checkpatch.pl, the debug kernel
	linux-source-6.1 xz-utils bc flex bison libelf-dev libssl-dev
	# the VM suite: the distro kernel to boot, QEMU, the initramfs
	linux-image-amd64 qemu-system-x86 busybox-static cpio
	# tools the tests use inside the VM
	iproute2 socat util-linux procps valgrind python3 python3-yaml python3-jsonschema rsync
	# the real clients the VM suite runs: libvirt's daemon and virsh
	libvirt-daemon-system libvirt-clients
	# the man pages are linted
	mandoc groff-base
	# the bash completion is linted
	shellcheck
	# packaging: the DKMS check, make deb and its lint, the metrics check
	dkms debhelper dh-dkms lintian fakeroot dpkg-dev prometheus
)

# make check-kernels also cross-builds for arm64 (the module, and the
# packages in a root mmdebstrap makes: scripts/deb.sh --arch arm64).
if [ "${1:-}" = --arm64 ]; then
	packages+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm mmdebstrap)
elif [ $# -gt 0 ]; then
	echo "deps: usage: deps.sh [--arm64]" >&2
	exit 1
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#packages[@]} packages present"
	exit 0
fi

cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing ${missing[*]}" >&2
	echo "deps: run as root: apt-get update && ${cmd[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# An old or absent package list cannot find linux-source-6.1 and friends.
apt-get update -q >/dev/null
"${cmd[@]}" -q
