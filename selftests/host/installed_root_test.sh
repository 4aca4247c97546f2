#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install` into a staged root (DESTDIR), then a VM of the distro
# kernel booted with that root laid over its own (vmrun.sh -r): modprobe
# finds the installed module and vsock and vhost_vsock beside it, the
# options of the installed /etc/modprobe.d file take effect, and the
# installed cidctl sees the module. Needs root. Prints TAP.
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
[ -f "$repo/scripts/install.sh" ] || repo=${CIDREG_REPO:?}
# shellcheck source=../vm/lib.sh
. "$repo/selftests/vm/lib.sh"
self=$(readlink -f "$0")
options="mode=audit cid_min=1000 cid_max=1999 quota=8 protected_ports=5000"

# shellcheck source=../lib/tap.sh
. "$repo/selftests/lib/tap.sh"

# In the VM, on the installed root.
inside_tests() {
	kver=$(uname -r)
	tap modprobe_loads_the_installed_module modprobe_installed
	tap installed_options_take_effect options_in_effect
	tap vhost_vsock_and_vsock_resolve_from_the_same_tree vhost_resolves
	tap installed_cidctl_sees_the_module cidctl_status
	tap installed_cidctl_reserves_in_the_configured_range cidctl_reserve
	tap module_unloads_cleanly unload
}

modprobe_installed() {
	modprobe vsock_cidreg &&
		[ "$(modinfo -n vsock_cidreg)" = "/lib/modules/$kver/updates/kernel/vsock_cidreg.ko" ] &&
		[ -c /dev/vsock-cidreg ]
}

options_in_effect() {
	local o k v
	for o in $options; do
		k=${o%%=*} v=${o#*=}
		[ "$(cat /sys/module/vsock_cidreg/parameters/"$k")" = "$v" ] ||
			{ echo "$k: $(cat /sys/module/vsock_cidreg/parameters/"$k"), not $v"; return 1; }
	done
}

vhost_resolves() {
	modprobe vhost_vsock && lsmod | grep -q '^vhost_vsock ' &&
		lsmod | grep -q '^vsock ' && [ -c /dev/vhost-vsock ]
}

cidctl_status() {
	[ "$(command -v cidctl)" = /usr/bin/cidctl ] || return 1
	cidctl status | tee /dev/stderr | grep -qx 'module:   vsock_cidreg live, version '"$(cat "$repo/VERSION")" &&
		cidctl status | grep -qx 'mode:     audit' &&
		cidctl status | grep -q ' cid_min=1000 '
}

cidctl_reserve() {
	local cid
	cid=$(cidctl reserve) && [ "$cid" -ge 1000 ] && [ "$cid" -le 1999 ] &&
		cidctl release "$cid"
}

unload() {
	modprobe -r vhost_vsock vsock_cidreg && [ ! -e /sys/module/vsock_cidreg ]
}

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
tap_inside "$@"

# On the host: install into a root that holds the distro kernel's module
# tree (symlinks, for depmod), then drop the scaffolding, keeping what
# install put and the indexes depmod wrote.
kver=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n1)
kver=${kver#/boot/vmlinuz-}
root=$repo/build/installed-root

staged() {
	local m=$root/lib/modules/$kver
	rm -rf "$root"
	link_module_tree /lib/modules/"$kver" "$m"
	make -s -C "$repo" install DESTDIR="$root" PREFIX=/usr KVER="$kver" || return 1
	rm -rf "$m/kernel"
	grep -q 'updates/kernel/vsock_cidreg.ko:' "$m/modules.dep" || return 1
	# The example file is all comments; a node sets its options there.
	echo "options vsock_cidreg $options" >>"$root/etc/modprobe.d/vsock-cidreg.conf"
}

echo "TAP version 13"
echo "1..8"
tap make_install_into_a_staged_root staged
tap_vm 6 -k distro -t 300 -s -installed -r "$root"
exit $((fails > 0))
