#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side test of dkms.conf: `dkms add`, `build`, `install`, `uninstall`
# and `remove` of the module for the newest installed Debian headers.
# Runs in a private mount namespace with a tmpfs over /var/lib/dkms (the
# DKMS tree and its signing key), and with its source and install trees in
# a scratch directory, so the machine's DKMS state and /lib/modules stay
# as they were. Loads nothing. Needs root. Prints TAP.
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
[ -f "$repo/dkms.conf" ] || repo=${CIDREG_REPO:?}
# shellcheck source=../vm/lib.sh
. "$repo/selftests/vm/lib.sh"

if [ "${1:-}" != --inside ]; then
	exec unshare -m --propagation private "$0" --inside
fi
mount -t tmpfs -o mode=0755 tmpfs /var/lib/dkms || {
	echo "1..1"
	echo "not ok 1 private_dkms_tree # cannot mount a tmpfs over /var/lib/dkms (run as root)"
	exit 1
}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
name=vsock-cidreg
version=$(cat "$repo/VERSION")
kver=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n1)
kver=${kver#/usr/src/linux-headers-}
src=$d/src root=$d/root
opts=(-m "$name" -v "$version" -k "$kver" --sourcetree "$src"
	--installtree "$root/lib/modules" --no-depmod)
ko=$root/lib/modules/$kver/updates/dkms/vsock_cidreg.ko

# shellcheck source=../lib/tap.sh
. "$repo/selftests/lib/tap.sh"

version_matches() {
	grep -x "PACKAGE_VERSION=\"$version\"" "$repo/dkms.conf"
}

added_and_built() {
	"$repo/scripts/dkms.sh" source "$src/$name-$version" &&
		dkms add "${opts[@]}" && dkms build "${opts[@]}" &&
		dkms status "${opts[@]}" | grep -q ": built"
}

installed() {
	link_module_tree /lib/modules/"$kver" "$root/lib/modules/$kver"
	dkms install "${opts[@]}" || return 1
	dkms status "${opts[@]}" | grep ": installed" || return 1
	[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kver" ] || return 1
	[ "$(modinfo -F version "$ko")" = "$version" ] || return 1
	depmod -b "$root" "$kver" &&
		modprobe -d "$root" -S "$kver" --show-depends vsock_cidreg |
		grep "updates/dkms/vsock_cidreg.ko"
}

# Debian's dkms signs with its own key (a MOK to enroll under Secure Boot).
signed() {
	modinfo -F signer "$ko" | grep -x "DKMS module signing key"
}

# dkms build's status for KVER and ARCH against a kernel tree whose
# .config holds CONFIG...: 77 is DKMS's "excluded" (BUILD_EXCLUSIVE_*).
build_status() { # KVER ARCH CONFIG...
	local k=$d/k-$1-$2 kver=$1 arch=$2
	shift 2
	mkdir -p "$k"
	# No CONFIG: no .config, as a DKMS older than 3.0.3 sees every
	# kernel (it ignores BUILD_EXCLUSIVE_CONFIG).
	[ $# -eq 0 ] || printf '%s=y\n' "$@" >"$k/.config"
	dkms build -m "$name" -v "$version" -k "$kver" -a "$arch" \
		--sourcetree "$src" --installtree "$root/lib/modules" --no-depmod \
		--kernelsourcedir "$k" >"$d/build.log" 2>&1
	echo $?
}

# Kernels the module does not support are skipped, never failed: an
# upgrade to one of them does not break DKMS's autoinstall.
exclusive() {
	local regs=(CONFIG_KPROBES CONFIG_DYNAMIC_FTRACE_WITH_REGS)
	local args=(CONFIG_KPROBES CONFIG_DYNAMIC_FTRACE_WITH_ARGS)
	[ "$(build_status 4.19.0-9-amd64 x86_64 "${regs[@]}")" = 77 ]
	[ "$(build_status 5.4.0-9-amd64 x86_64 "${regs[@]}")" = 77 ]
	[ "$(build_status 8.0.0-1-amd64 x86_64 "${regs[@]}")" = 77 ]
	[ "$(build_status 6.1.0-9-riscv64 riscv64 "${regs[@]}" "${args[@]}")" = 77 ]
	[ "$(build_status 6.1.0-9-amd64 x86_64 CONFIG_DYNAMIC_FTRACE_WITH_REGS)" = 77 ]
	# arm64 6.1 has no DYNAMIC_FTRACE_WITH_ARGS: the module cannot hook.
	[ "$(build_status 6.1.0-9-arm64 aarch64 "${regs[@]}")" = 77 ]
	# arm64 before 6.2, by its version alone: what DKMS 2.8 (Debian 11,
	# Ubuntu 22.04) can check, and so does.
	[ "$(build_status 6.1.0-9-arm64 aarch64 "${args[@]}")" = 77 ]
	[ "$(build_status 5.15.0-91-generic aarch64)" = 77 ]
	[ "$(build_status 6.8.0-31-generic aarch64)" != 77 ]
	[ "$(build_status 5.15.0-91-generic x86_64)" != 77 ]
	# Supported ones go on to the build (which fails here: no kernel tree).
	[ "$(build_status 6.12.0-9-arm64 aarch64 "${args[@]}")" != 77 ]
	[ "$(build_status 5.10.0-9-amd64 x86_64 "${regs[@]}")" != 77 ]
	[ "$(build_status 7.3.0-1-amd64 x86_64 "${regs[@]}")" != 77 ]
}

removed() {
	dkms uninstall "${opts[@]}" && [ ! -e "$ko" ] &&
		dkms remove -m "$name" -v "$version" --all --sourcetree "$src" \
			--installtree "$root/lib/modules" --no-depmod &&
		[ -z "$(dkms status -m "$name")" ]
}

echo "TAP version 13"
echo "1..6"
tap dkms_conf_version_is_the_release version_matches
tap dkms_adds_and_builds_against_the_debian_headers added_and_built
tap dkms_install_puts_a_module_modprobe_resolves installed
tap dkms_signs_the_module_with_its_mok_key signed
tap dkms_skips_kernels_the_module_does_not_support exclusive
tap dkms_uninstall_and_remove_leave_nothing removed
