#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install` / `make install-tools` / `make uninstall`:
#
#   scripts/install.sh install|install-tools|uninstall
#
# Environment (from make): DESTDIR, PREFIX, LIBDIR, UNITDIR, and for the
# module KDIR and KRELEASE. install puts the module in
# /lib/modules/KRELEASE/updates through the kernel's modules_install (then
# depmod), and what install-tools puts: the tools, library, headers,
# pkg-config file, man pages, the systemd unit and the configuration files
# under DESTDIR. It records every file in PREFIX/share/vsock-cidreg/manifest,
# which uninstall removes exactly.
#
# Configuration files (/etc) are an admin's: one edited since it was
# installed is kept, by install (the new one goes beside it as FILE.new) and
# by uninstall. Installing to the live root (no DESTDIR) runs ldconfig.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PREFIX:=/usr/local}" "${DESTDIR:=}"
: "${LIBDIR:=$PREFIX/lib}" "${UNITDIR:=$PREFIX/lib/systemd/system}"
manifest=$DESTDIR$PREFIX/share/vsock-cidreg/manifest
b=build/tools

put() { # MODE SOURCE TARGET (without DESTDIR)
	install -D -m "$1" "$2" "$DESTDIR$3"
	echo "$3" >>"$manifest.new"
}

link() { # TARGET NAME (without DESTDIR)
	mkdir -p "$(dirname "$DESTDIR$2")"
	ln -sf "$1" "$DESTDIR$2"
	echo "$2" >>"$manifest.new"
}

sum() { sha256sum <"$1" | cut -d' ' -f1; }

# The checksum a configuration file had when an earlier install put it.
installed_sum() { # TARGET
	[ -r "$manifest" ] &&
		awk -v f="$1" '$1 == "conf" && $2 != "-" && $3 == f { print $2 }' "$manifest"
}

# A configuration file: installed if absent, unchanged since the last
# install or already the same; else the admin's stays and ours goes
# beside it as TARGET.new.
put_conf() { # SOURCE TARGET (without DESTDIR)
	local t=$DESTDIR$2 old
	if [ -e "$t" ] && [ "$(sum "$t")" != "$(sum "$1")" ]; then
		old=$(installed_sum "$2")
		if [ -z "$old" ] || [ "$(sum "$t")" != "$old" ]; then
			put 0644 "$1" "$2.new"
			echo "install: kept your edited $2; the new default is $2.new"
			echo "conf - $2" >>"$manifest.new"
			return
		fi
	fi
	install -D -m 0644 "$1" "$t"
	echo "conf $(sum "$1") $2" >>"$manifest.new"
}

# depmod, where there is a kernel's module tree to index: the system, or a
# staged root that has one.
run_depmod() {
	if [ -z "$DESTDIR" ] || [ -f "$DESTDIR/lib/modules/$KRELEASE/modules.order" ]; then
		depmod ${DESTDIR:+-b "$DESTDIR"} "$KRELEASE"
	else
		echo "install: no /lib/modules/$KRELEASE tree under $DESTDIR: run depmod $KRELEASE on the target"
	fi
}

# The live root's dynamic linker finds the library at once.
run_ldconfig() {
	[ -n "$DESTDIR" ] || ldconfig
}

install_module() {
	: "${KDIR:?}" "${KRELEASE:?}"
	# Unsigned: sign it with your own key for Secure Boot (see
	# Documentation/enforcement.md); the distro's key is not here.
	make -s -C "$KDIR" M="$PWD" KERNELRELEASE="$KRELEASE" \
		CONFIG_MODULE_SIG_ALL= INSTALL_MOD_PATH="$DESTDIR" \
		INSTALL_MOD_DIR=updates modules_install
	ko=$(cd "$DESTDIR/" && find "lib/modules/$KRELEASE/updates" -name vsock_cidreg.ko)
	echo "/$ko" >>"$manifest.new"
	run_depmod
}

install_tools() {
	local so
	so=$(basename $b/libcidreg.so.0.*)
	put 0755 $b/cidctl "$PREFIX/bin/cidctl"
	put 0644 $b/libcidreg.a "$LIBDIR/libcidreg.a"
	put 0644 "$b/$so" "$LIBDIR/$so"
	link "$so" "$LIBDIR/libcidreg.so.0"
	link libcidreg.so.0 "$LIBDIR/libcidreg.so"
	sed -e "s|^prefix=.*|prefix=$PREFIX|" -e "s|^libdir=.*|libdir=$LIBDIR|" \
		$b/libcidreg.pc >$b/libcidreg.pc.installed
	put 0644 $b/libcidreg.pc.installed "$LIBDIR/pkgconfig/libcidreg.pc"
	put 0644 tools/lib/cidreg.h "$PREFIX/include/cidreg.h"
	# The uapi headers in a directory of their own: linux/ under the
	# include directory is linux-libc-dev's (pkg-config --cflags adds it).
	put 0644 include/uapi/linux/vsock_cidreg.h "$PREFIX/include/vsock-cidreg/linux/vsock_cidreg.h"
	put 0644 include/uapi/linux/vsock_cidreg_nl.h "$PREFIX/include/vsock-cidreg/linux/vsock_cidreg_nl.h"
	put 0644 Documentation/cidctl.8 "$PREFIX/share/man/man8/cidctl.8"
	put 0644 Documentation/libcidreg.3 "$PREFIX/share/man/man3/libcidreg.3"
	for f in Documentation/man3/*.3; do
		put 0644 "$f" "$PREFIX/share/man/man3/$(basename "$f")"
	done
	put 0644 tools/cidctl/cidctl.bash-completion \
		"$PREFIX/share/bash-completion/completions/cidctl"
	sed "s|/usr/bin/cidctl|$PREFIX/bin/cidctl|" packaging/vsock-cidreg.service \
		>$b/vsock-cidreg.service
	put 0644 $b/vsock-cidreg.service "$UNITDIR/vsock-cidreg.service"
	put_conf packaging/vsock-cidreg.conf /etc/vsock-cidreg.conf
	put_conf packaging/vsock-cidreg-modprobe.conf /etc/modprobe.d/vsock-cidreg.conf
	run_ldconfig
}

finish() {
	echo "${manifest#"$DESTDIR"}" >>"$manifest.new"
	mv "$manifest.new" "$manifest"
	echo "install: $(grep -cv '^conf ' "$manifest") files under ${DESTDIR:-/}${KRELEASE:+; module for $KRELEASE}"
	[ -n "$DESTDIR" ] || echo "install: start it at boot: systemctl enable --now vsock-cidreg"
}

case ${1:-} in
install|install-tools)
	mkdir -p "$(dirname "$manifest")"
	: >"$manifest.new"
	if [ "$1" = install ]; then
		install_module
	else
		# A module an earlier `make install` put stays in the manifest.
		KRELEASE=
		[ ! -r "$manifest" ] || grep '^/lib/modules/' "$manifest" >>"$manifest.new" || true
	fi
	install_tools
	finish
	;;
uninstall)
	[ -r "$manifest" ] || { echo "uninstall: $manifest not found: nothing installed with this PREFIX and DESTDIR" >&2; exit 1; }
	ko=
	while read -r f rest; do
		if [ "$f" = conf ]; then
			sum=${rest%% *} f=${rest#* }
			if [ -e "$DESTDIR$f" ] && [ "$(sum "$DESTDIR$f")" != "$sum" ]; then
				echo "uninstall: kept your edited $f"
				continue
			fi
		fi
		case $f in /lib/modules/*) ko=$f ;; esac
		rm -f "$DESTDIR$f"
	done <"$manifest"
	if [ -n "$ko" ]; then
		KRELEASE=${ko#/lib/modules/} KRELEASE=${KRELEASE%%/*}
		run_depmod
	fi
	run_ldconfig
	echo "uninstall: done"
	;;
*)
	echo "usage: scripts/install.sh install|install-tools|uninstall" >&2
	exit 2
	;;
esac
