#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side test of `make install` / `make uninstall` into a staged root
# (DESTDIR): what lands where (LIBDIR too), that a program builds against
# the installed library with pkg-config, that an edited configuration file
# survives install and uninstall, and that uninstall removes exactly what
# install put. Loads nothing. Prints TAP.
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
[ -f "$repo/scripts/install.sh" ] || repo=${CIDREG_REPO:?}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

# shellcheck source=../lib/tap.sh
. "$repo/selftests/lib/tap.sh"

installed() {
	make -s -C "$repo" install DESTDIR="$d/root" PREFIX=/usr >"$d/log" 2>&1 || { cat "$d/log"; return 1; }
	for f in usr/bin/cidctl usr/lib/libcidreg.a usr/lib/libcidreg.so.0 \
		usr/lib/libcidreg.so usr/lib/pkgconfig/libcidreg.pc \
		usr/include/cidreg.h usr/include/vsock-cidreg/linux/vsock_cidreg.h \
		usr/include/vsock-cidreg/linux/vsock_cidreg_nl.h \
		usr/share/man/man8/cidctl.8 usr/share/man/man3/libcidreg.3 \
		usr/share/man/man3/cidreg_reserve.3 usr/share/man/man3/cidreg_message.3 \
		usr/share/bash-completion/completions/cidctl \
		usr/lib/systemd/system/vsock-cidreg.service \
		etc/vsock-cidreg.conf etc/modprobe.d/vsock-cidreg.conf; do
		[ -e "$d/root/$f" ] || { echo "missing $f"; return 1; }
	done
	ls "$d"/root/lib/modules/*/updates/kernel/vsock_cidreg.ko
	# The files above, the module, the pages of Documentation/man3.
	[ "$(find "$d/root" -type f -o -type l | wc -l)" = \
		$((17 + $(ls "$repo"/Documentation/man3/*.3 | wc -l))) ]
	grep -qx 'ExecStart=/usr/bin/cidctl apply /etc/vsock-cidreg.conf' \
		"$d/root/usr/lib/systemd/system/vsock-cidreg.service"
}

# An admin's edit of /etc stays; an unedited file follows the new default.
config_kept() {
	local conf=$d/root/etc/vsock-cidreg.conf
	echo 'mode audit' >>"$conf"
	make -s -C "$repo" install-tools DESTDIR="$d/root" PREFIX=/usr >"$d/log" 2>&1
	cat "$d/log"
	grep -qx 'install: kept your edited /etc/vsock-cidreg.conf; the new default is /etc/vsock-cidreg.conf.new' "$d/log"
	! grep -q modprobe.d "$d/log"
	tail -n1 "$conf" | grep -qx 'mode audit'
	cmp "$repo/packaging/vsock-cidreg.conf" "$conf.new"
	cmp "$repo/packaging/vsock-cidreg-modprobe.conf" "$d/root/etc/modprobe.d/vsock-cidreg.conf"
}

# LIBDIR: a multiarch layout, and the pkg-config file says so.
libdir() {
	make -s -C "$repo" install-tools DESTDIR="$d/lib" PREFIX=/usr \
		LIBDIR=/usr/lib/x86_64-linux-gnu >/dev/null
	[ -e "$d/lib/usr/lib/x86_64-linux-gnu/libcidreg.so.0" ]
	[ ! -e "$d/lib/usr/lib/libcidreg.so.0" ]
	grep -qx 'libdir=/usr/lib/x86_64-linux-gnu' "$d/lib/usr/lib/x86_64-linux-gnu/pkgconfig/libcidreg.pc"
	[ "$(PKG_CONFIG_PATH=$d/lib/usr/lib/x86_64-linux-gnu/pkgconfig pkg-config --variable=libdir libcidreg)" = /usr/lib/x86_64-linux-gnu ]
	make -s -C "$repo" uninstall DESTDIR="$d/lib" PREFIX=/usr >/dev/null
	[ "$(find "$d/lib" -type f -o -type l | wc -l)" = 0 ]
}

builds_against_it() {
	cat >"$d/p.c" <<'C'
#include <cidreg.h>
#include <stdio.h>
int main(void)
{
	struct cidreg *h;
	int err = cidreg_open(&h);

	if (!err)
		cidreg_close(h);
	printf("%s\n", err ? cidreg_strerror(err) : "open");
	return 0;
}
C
	PKG_CONFIG_PATH=$d/root/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$d/root \
		cc -Wall -Werror -o "$d/p" "$d/p.c" \
		$(PKG_CONFIG_PATH=$d/root/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$d/root \
		  pkg-config --cflags --libs libcidreg libnl-genl-3.0)
	# The host has no module loaded: the program says so, through the library.
	[ "$(LD_LIBRARY_PATH=$d/root/usr/lib "$d/p")" = "the vsock_cidreg module is not loaded" ]
	grep -q '^cidctl \\- reserve' "$d/root/usr/share/man/man8/cidctl.8"
}

uninstalled() {
	make -s -C "$repo" uninstall DESTDIR="$d/root" PREFIX=/usr | tee "$d/log"
	grep -qx 'uninstall: kept your edited /etc/vsock-cidreg.conf' "$d/log"
	# What stays: the edited file, and nothing else.
	[ "$(cd "$d/root" && find . -type f -o -type l)" = ./etc/vsock-cidreg.conf ]
}

echo "TAP version 13"
echo "1..5"
tap install_puts_every_file_in_place installed
tap a_program_builds_against_the_installed_library builds_against_it
tap reinstall_keeps_an_edited_config_file config_kept
tap libdir_takes_a_multiarch_layout libdir
tap uninstall_removes_what_install_put_but_the_edited_config uninstalled
