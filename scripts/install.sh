#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install` / `make uninstall`:
#
#   scripts/install.sh install|uninstall
#
# Environment (from make): DESTDIR, PREFIX, KDIR, KRELEASE. install puts
# the module in /lib/modules/KRELEASE/updates through the kernel's
# modules_install (then depmod), and the tools, library, headers,
# pkg-config file, man pages and example configuration files under
# DESTDIR; it records every file in PREFIX/share/vsock-cidreg/manifest,
# which uninstall removes exactly.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PREFIX:=/usr/local}" "${DESTDIR:=}" "${KDIR:?}" "${KRELEASE:?}"
manifest=$DESTDIR$PREFIX/share/vsock-cidreg/manifest
b=build/tools

put() { # MODE SOURCE TARGET (without DESTDIR)
	install -D -m "$1" "$2" "$DESTDIR$3"
	echo "$3" >>"$manifest.new"
}

link() { # TARGET NAME (without DESTDIR)
	ln -sf "$1" "$DESTDIR$2"
	echo "$2" >>"$manifest.new"
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

case ${1:-} in
install)
	mkdir -p "$(dirname "$manifest")"
	: >"$manifest.new"
	# Unsigned: sign it with your own key for Secure Boot (see
	# Documentation/enforcement.md); the distro's key is not here.
	make -s -C "$KDIR" M="$PWD" KERNELRELEASE="$KRELEASE" \
		CONFIG_MODULE_SIG_ALL= INSTALL_MOD_PATH="$DESTDIR" \
		INSTALL_MOD_DIR=updates modules_install
	ko=$(cd "$DESTDIR/" && find "lib/modules/$KRELEASE/updates" -name vsock_cidreg.ko)
	echo "/$ko" >>"$manifest.new"
	run_depmod
	put 0755 $b/cidctl "$PREFIX/bin/cidctl"
	put 0644 $b/libcidreg.a "$PREFIX/lib/libcidreg.a"
	put 0755 $b/libcidreg.so.0.* "$PREFIX/lib/$(basename $b/libcidreg.so.0.*)"
	link "$(basename $b/libcidreg.so.0.*)" "$PREFIX/lib/libcidreg.so.0"
	link libcidreg.so.0 "$PREFIX/lib/libcidreg.so"
	PREFIX=$PREFIX make -s -C tools "$PWD/$b/libcidreg.pc" >/dev/null
	sed "s|^prefix=.*|prefix=$PREFIX|" $b/libcidreg.pc >$b/libcidreg.pc.installed
	put 0644 $b/libcidreg.pc.installed "$PREFIX/lib/pkgconfig/libcidreg.pc"
	put 0644 tools/lib/cidreg.h "$PREFIX/include/cidreg.h"
	put 0644 include/uapi/linux/vsock_cidreg.h "$PREFIX/include/linux/vsock_cidreg.h"
	put 0644 include/uapi/linux/vsock_cidreg_nl.h "$PREFIX/include/linux/vsock_cidreg_nl.h"
	put 0644 Documentation/cidctl.8 "$PREFIX/share/man/man8/cidctl.8"
	put 0644 Documentation/libcidreg.3 "$PREFIX/share/man/man3/libcidreg.3"
	for f in Documentation/man3/*.3; do
		put 0644 "$f" "$PREFIX/share/man/man3/$(basename "$f")"
	done
	put 0644 tools/cidctl/cidctl.bash-completion \
		"$PREFIX/share/bash-completion/completions/cidctl"
	put 0644 packaging/vsock-cidreg-modprobe.conf /etc/modprobe.d/vsock-cidreg.conf
	put 0644 packaging/vsock-cidreg-modules-load.conf /etc/modules-load.d/vsock-cidreg.conf
	echo "${manifest#"$DESTDIR"}" >>"$manifest.new"
	mv "$manifest.new" "$manifest"
	echo "install: $(wc -l <"$manifest") files under ${DESTDIR:-/}; module for $KRELEASE"
	;;
uninstall)
	[ -r "$manifest" ] || { echo "uninstall: $manifest not found: nothing installed with this PREFIX and DESTDIR" >&2; exit 1; }
	while read -r f; do
		rm -f "$DESTDIR$f"
	done <"$manifest"
	run_depmod
	echo "uninstall: done"
	;;
*)
	echo "usage: scripts/install.sh install|uninstall" >&2
	exit 2
	;;
esac
