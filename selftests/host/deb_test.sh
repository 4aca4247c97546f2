#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages as a node installs them: `make deb` (dpkg-buildpackage
# and lintian); dpkg installs the four packages into the host's userland
# with a writable layer over /usr, /etc and /var (a chroot in a mount
# namespace of its own: the host itself is not touched), where DKMS builds
# the module for the distro kernel, as it does where that kernel is not
# the one running (a chroot, an image being built); then a VM of that
# kernel, whose root is the host's with that layer and a writable one over
# it: modprobe loads the DKMS build, the unit's ExecStart lines apply
# /etc/vsock-cidreg.conf, a program builds with pkg-config and runs, an
# edited conffile survives a reinstall and an upgrade, and remove and
# purge leave what admin-guide.md says. Needs root. Prints TAP.
#
# DKMS builds natively there: in the VM, under TCG, the install took 5 to
# 13 minutes. The upgrade builds the module with DKMS in the VM, so it
# runs in make check-kernels (CIDREG_LONG=1) and not in make check; so
# does the reinstall before it (about 45 s under TCG), to keep make check
# within 30 minutes: in make check, the edited conffiles are checked after
# remove (remove_leaves_the_config_files).
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
[ -f "$repo/scripts/deb.sh" ] || repo=${CIDREG_REPO:?}
self=$(readlink -f "$0")
out=$repo/build/deb
packages="vsock-cidreg-dkms libcidreg0 libcidreg-dev cidctl"
version=$(cat "$repo/VERSION")
export DEBIAN_FRONTEND=noninteractive

# shellcheck source=../lib/tap.sh
. "$repo/selftests/lib/tap.sh"

# In the VM -------------------------------------------------------------

debs() { # DIR
	local p
	for p in $packages; do
		ls "$1/${p}_"*.deb
	done
}

# The host's /usr, /etc and /var under what dpkg installed on the host
# ($layer), writable: what dpkg changes goes to a tmpfs. A bind mount of /
# shows them without the VM's own mounts.
writable_root() {
	local d
	mkdir -p /mnt/host /tmp/layer
	mount --bind / /mnt/host
	for d in usr etc var; do
		mkdir -p /tmp/layer/$d/up /tmp/layer/$d/work
		mount -t overlay overlay -o "lowerdir=/mnt/host$layer/$d/up:/mnt/host/$d,upperdir=/tmp/layer/$d/up,workdir=/tmp/layer/$d/work" /$d
	done
	mkdir -p /var/tmp /var/log && chmod 1777 /var/tmp
	# man-db's trigger would index every manual page after each dpkg run:
	# minutes under TCG, and nothing this test looks at.
	rm -f /var/lib/man-db/auto-update
}

# In the VM, what dpkg installed on the host (installed, below).
installed_there() {
	# What the conffiles and cidctl(8) point at is installed too.
	[ -e /usr/share/doc/cidctl/admin-guide.md.gz ]
	[ -e /usr/share/doc/cidctl/enforcement.md.gz ]
	ls /usr/share/doc/libcidreg-dev/examples/agent-events.c*
	# cidctl runs on libcidreg0, of its own version.
	objdump -p /usr/bin/cidctl | grep -q 'NEEDED  *libcidreg\.so\.0$'
	dpkg-query -W -f='${Depends}\n' cidctl | grep -q "libcidreg0 (= $version)"
	# cidreg.h needs no libnl header: pkg-config passes on none.
	# The uapi headers are out of linux-libc-dev's linux/.
	[ "$(pkg-config --cflags libcidreg | tr -d ' ')" = "-I/usr/include/vsock-cidreg" ]
	[ -e /usr/include/vsock-cidreg/linux/vsock_cidreg.h ]
	[ ! -e /usr/include/linux/vsock_cidreg.h ]
	for p in $packages; do
		dpkg-query -W -f='${Status} ${Version}\n' "$p" | tee /dev/stderr |
			grep -qx "install ok installed $version"
	done
	dkms status -m vsock-cidreg | tee /dev/stderr |
		grep -q "vsock-cidreg/$version, $kver, x86_64: installed"
}

modprobe_loads_the_dkms_build() {
	modprobe vsock_cidreg
	[ "$(modinfo -n vsock_cidreg)" = "/lib/modules/$kver/updates/dkms/vsock_cidreg.ko" ]
	[ "$(cat /sys/module/vsock_cidreg/version)" = "$version" ]
	cidctl status | tee /dev/stderr | grep -qx "module:   vsock_cidreg live, version $version"
	# A fresh install refuses nothing: the packaged options load it in audit.
	cidctl config | grep -qx 'mode  *audit'
}

# The unit's ExecStart lines, as systemd would run them (the VM has no
# systemd as PID 1).
exec_start() {
	local line rc=0
	while read -r line; do
		${line#ExecStart=} || { rc=$?; break; }
	done < <(grep '^ExecStart=' /lib/systemd/system/vsock-cidreg.service)
	return $rc
}

unit_verifies() {
	systemd-analyze verify /lib/systemd/system/vsock-cidreg.service 2>&1 | tee "$d/verify"
	[ ! -s "$d/verify" ]
	grep -qx 'Before=libvirtd.service virtqemud.service kubelet.service' \
		/lib/systemd/system/vsock-cidreg.service
	# Enabled at install, as Debian does.
	[ -L /etc/systemd/system/multi-user.target.wants/vsock-cidreg.service ]
}

unit_applies_the_config() {
	modprobe -r vsock_cidreg
	echo '# edited by the admin' >>/etc/modprobe.d/vsock-cidreg.conf
	cat >>/etc/vsock-cidreg.conf <<-EOF
		mode audit
		quota 8
		cid-min 1000
		cid-max 1999
		protected-ports 5000,5001
		trust /proc/1/ns/net
	EOF
	exec_start
	cidctl config | tee /dev/stderr >"$d/config"
	grep -qx 'mode  *audit' "$d/config"
	grep -qx 'quota  *8' "$d/config"
	grep -qx 'cid-min  *1000' "$d/config"
	grep -qx 'protected-ports  *5000,5001' "$d/config"
	cid=$(cidctl reserve)
	[ "$cid" -ge 1000 ] && [ "$cid" -le 1999 ]
	cidctl release "$cid"
}

bad_config_fails_the_unit_and_changes_nothing() {
	cp /etc/vsock-cidreg.conf "$d/good.conf"
	echo 'strict maybe' >>/etc/vsock-cidreg.conf
	if exec_start 2>"$d/err"; then
		return 1
	fi
	cat "$d/err"
	line=$(($(wc -l <"$d/good.conf") + 1))
	grep -qx "cidctl: /etc/vsock-cidreg.conf:$line: bad value 'maybe' for strict (yes|no); see cidctl config help; nothing was changed" "$d/err"
	cidctl config | grep -qx 'mode  *audit'
	cp "$d/good.conf" /etc/vsock-cidreg.conf
}

links_with_pkg_config_without_ldconfig() {
	cat >"$d/p.c" <<-'C'
		#include <cidreg.h>
		#include <stdio.h>
		int main(void)
		{
			struct cidreg *h;
			uint32_t cid;
			struct cidreg_reserve_req req = CIDREG_INIT(cidreg_reserve_req, .any = true);
			int err = cidreg_open(&h);

			if (!err)
				err = cidreg_reserve(h, &req, &cid);
			if (!err)
				err = cidreg_release(h, cid);
			printf("%s\n", err ? cidreg_strerror(err) : "reserved and released");
			cidreg_close(h);
			return !!err;
		}
	C
	# shellcheck disable=SC2046
	cc -Wall -Werror -o "$d/p" "$d/p.c" $(pkg-config --cflags --libs libcidreg)
	ldd "$d/p" | grep "libcidreg.so.0 => /lib/x86_64-linux-gnu/libcidreg.so.0\|libcidreg.so.0 => /usr/lib/x86_64-linux-gnu/libcidreg.so.0"
	[ "$("$d/p")" = "reserved and released" ]
	# The static library too.
	# shellcheck disable=SC2046
	cc -Wall -Werror -o "$d/ps" "$d/p.c" /usr/lib/x86_64-linux-gnu/libcidreg.a \
		$(pkg-config --libs libnl-genl-3.0)
	[ "$("$d/ps")" = "reserved and released" ]
}

metrics_read_by_promtool() {
	cidctl stats --format=prometheus | tee "$d/metrics" | promtool check metrics
	grep -q '^vsock_cidreg_mode{mode="audit"} 1$' "$d/metrics"
}

conffile_kept() {
	grep -qx 'quota 8' /etc/vsock-cidreg.conf
	grep -qx '# edited by the admin' /etc/modprobe.d/vsock-cidreg.conf
	[ ! -e /etc/modprobe.d/vsock-cidreg.conf.dpkg-new ]
	grep -qx 'trust /proc/1/ns/net' /etc/vsock-cidreg.conf
	[ ! -e /etc/vsock-cidreg.conf.dpkg-new ] && [ ! -e /etc/vsock-cidreg.conf.dpkg-old ]
}

# The package of /etc/vsock-cidreg.conf, again (the upgrade below
# rebuilds the module too).
reinstall_keeps_the_edited_conffile() {
	dpkg -i "$out"/cidctl_*.deb </dev/null
	dpkg-query -W -f='${Status}\n' cidctl | grep -qx 'install ok installed'
	conffile_kept
}

upgrade_keeps_the_edited_conffile() {
	modprobe -r vsock_cidreg
	# shellcheck disable=SC2046
	dpkg -i $(debs "$upgrade") </dev/null
	dpkg-query -W -f='${Version}\n' cidctl | grep -qx "$version.1"
	conffile_kept
	dkms status -m vsock-cidreg | grep -q "$kver, x86_64: installed"
	modprobe vsock_cidreg
	exec_start
	cidctl config | grep -qx 'quota  *8'
}

# As the admin edited them in the VM (unit_applies_the_config), here.
conffiles_edited() {
	echo '# edited by the admin' >>/etc/modprobe.d/vsock-cidreg.conf
	printf 'quota 8\ntrust /proc/1/ns/net\n' >>/etc/vsock-cidreg.conf
}

# In the chroot of the install (in_layer), after the VM.
remove_keeps_config_only() {
	conffiles_edited
	# shellcheck disable=SC2086
	dpkg -r $packages </dev/null
	[ ! -e /usr/bin/cidctl ] && [ ! -e /usr/lib/x86_64-linux-gnu/libcidreg.so.0 ]
	[ ! -e /usr/src/vsock-cidreg-$version ]
	[ -z "$(find /lib/modules/"$kver" -name 'vsock_cidreg.ko*')" ]
	[ -z "$(dkms status -m vsock-cidreg)" ]
	! modinfo -k "$kver" vsock_cidreg 2>/dev/null
	conffile_kept
	[ -e /etc/modprobe.d/vsock-cidreg.conf ]
	# The packages with conffiles keep them; the libraries leave nothing.
	for p in vsock-cidreg-dkms cidctl; do
		dpkg-query -W -f='${Status}\n' "$p" | tee /dev/stderr |
			grep -qx 'deinstall ok config-files'
	done
}

purge_removes_config() {
	# shellcheck disable=SC2086
	dpkg -P $packages </dev/null
	[ ! -e /etc/vsock-cidreg.conf ] && [ ! -e /etc/modprobe.d/vsock-cidreg.conf ]
	[ ! -e /etc/systemd/system/multi-user.target.wants/vsock-cidreg.service ]
	for p in $packages; do
		! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok'
	done
}

inside_tests() {
	kver=$(uname -r)
	upgrade=$d/upgrade
	[ "${CIDREG_LONG:-0}" != 1 ] || cp -r "$out/upgrade" "$upgrade"
	tap root_with_the_installed_packages writable_root
	tap the_vm_sees_them_installed installed_there
	tap modprobe_loads_the_dkms_build modprobe_loads_the_dkms_build
	tap unit_is_valid_and_enabled unit_verifies
	tap unit_applies_the_config unit_applies_the_config
	tap bad_config_fails_the_unit_and_changes_nothing bad_config_fails_the_unit_and_changes_nothing
	tap program_links_with_pkg_config_without_ldconfig links_with_pkg_config_without_ldconfig
	tap prometheus_metrics_read_by_promtool metrics_read_by_promtool

	if [ "${CIDREG_LONG:-0}" = 1 ]; then
		tap reinstall_keeps_the_edited_conffile reinstall_keeps_the_edited_conffile
		tap upgrade_keeps_the_edited_conffile upgrade_keeps_the_edited_conffile
	fi
}
inside=8
[ "${CIDREG_LONG:-0}" != 1 ] || inside=10
layer=$out/layer

# An upgrade neither stops the unit (no preinst stops it on upgrade, as
# --no-restart-after-upgrade alone made; the prerm stops it on removal
# alone) nor restarts it: the unit, a oneshot that remains active, is not
# run again, so settings changed at run time stay. In the maintainer
# scripts dh_installsystemd wrote (the VM has no systemd as PID 1 to run
# them).
unit_left_alone_on_upgrade() {
	rm -rf "$d/ctl"
	dpkg-deb -e "$out"/cidctl_"$version"_*.deb "$d/ctl"
	cat "$d"/ctl/*inst "$d"/ctl/*rm
	! grep -qs 'deb-systemd-invoke stop' "$d/ctl/preinst"
	grep -q '"$1" = remove ] && \[ -d /run/systemd/system ] ; then' "$d/ctl/prerm"
	! grep -q 'upgrade' "$d/ctl/prerm"
	! grep -q 'restart' "$d/ctl/postinst"
}

# Run by in_layer: a function of this file, in the chroot.
if [ "${1:-}" = --in-layer ]; then
	kver=$(ls -v /lib/modules | while read -r k; do
		[ ! -e "/lib/modules/$k/build/Makefile" ] || echo "$k"; done | tail -n1)
	"$2"
	exit
fi

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
tap_inside "$@"

# On the host -----------------------------------------------------------

built() {
	"$repo/scripts/deb.sh" --worktree
	[ "$(debs "$out" | wc -l)" = 4 ]
	! grep -E '^[EW]: ' "$out/lintian.log"
}

# make deb for arm64: a cross build (scripts/deb.sh --arch arm64) of the
# three architecture-dependent packages, lintian clean, with arm64
# binaries and their libraries' dependencies. make check-kernels alone
# (CIDREG_LONG): its root takes minutes to make once.
cross_built() {
	local a=$repo/build/deb-arm64 f
	"$repo/scripts/deb.sh" --worktree --arch arm64
	[ "$(ls "$a"/*.deb | grep -cv dbgsym)" = 3 ]
	! grep -E '^[EW]: ' "$a/lintian.log"
	for f in "$a"/cidctl_*_arm64.deb "$a"/libcidreg0_*_arm64.deb; do
		[ "$(dpkg-deb -f "$f" Architecture)" = arm64 ]
	done
	dpkg-deb -f "$a"/libcidreg0_*_arm64.deb Depends | grep -q 'libnl-genl-3-200'
	dpkg-deb --fsys-tarfile "$a"/cidctl_*_arm64.deb | tar -xOf - ./usr/bin/cidctl >"$d/cidctl"
	file "$d/cidctl" | grep -q 'ARM aarch64'
	! grep -E '(^|: )warning: ' "$a/build.log" | grep -v '^dh: warning'
}

# The DKMS the module's package asks for is one that Debian 11 (2.8.4-3,
# from its archive), Ubuntu 22.04 (2.8.7-2ubuntu2) and 24.04
# (3.0.11-1ubuntu13; Ubuntu's archive is not reachable from here: the
# versions its package pages give) and Debian 12 have; dkms.conf rules
# out by version what DKMS 2.8 cannot check (dkms_test.sh).
dkms_dependency_met_where_nodes_are() {
	local dep v have
	dep=$(dpkg-deb -f "$out"/vsock-cidreg-dkms_*_all.deb Depends)
	echo "Depends: $dep"
	v=$(sed -n 's/.*dkms (>= \([^)]*\)).*/\1/p' <<<"$dep")
	[ -n "$v" ]
	for have in 2.8.4-3 2.8.7-2ubuntu2 3.0.11-1ubuntu13 3.0.10-8+deb12u1; do
		dpkg --compare-versions "$have" ge "$v" ||
			{ echo "dkms $have does not meet >= $v"; return 1; }
	done
}

# COMMAND... in a chroot of the host's userland with the writable layer
# $layer over /usr, /etc and /var, in a mount namespace of its own: what
# it changes goes to $layer, nothing to the host. The repository is
# there, read-only, where it is here.
in_layer() {
	unshare --mount --propagation private -- bash -euc '
		r=$1 l=$2 o=$3
		shift 3
		mkdir -p "$r"
		mount -t tmpfs tmpfs "$r"
		for d in usr etc var; do
			mkdir -p "$l/$d/up" "$l/$d/work" "$r/$d"
			mount -t overlay overlay \
				-o "lowerdir=/$d,upperdir=$l/$d/up,workdir=$l/$d/work" "$r/$d"
		done
		for d in bin sbin lib lib32 lib64 libx32; do
			[ ! -L "/$d" ] || ln -s "$(readlink "/$d")" "$r/$d"
		done
		mkdir -p "$r/proc" "$r/dev" "$r/tmp" "$r/run" "$r/root"
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		mount -t tmpfs tmpfs "$r/tmp"
		mount -t tmpfs tmpfs "$r/run"
		# After /tmp: a clone may be below it.
		mkdir -p "$r$o"
		mount --bind -o ro "$o" "$r$o"
		exec chroot "$r" "$@"
	' in_layer "$d/chroot" "$layer" "$repo" "$@"
}

# The distro kernel's release: the newest of the host's with headers.
distro_kver() {
	local k
	for k in $(ls -v /lib/modules); do
		[ ! -e "/lib/modules/$k/build/Makefile" ] || echo "$k"
	done | tail -n1
}

installed() {
	local k status
	k=$(distro_kver)
	[ -n "$k" ]
	status=$(md5sum </var/lib/dpkg/status)
	rm -rf "$layer"
	mkdir -p "$layer"
	# man-db's trigger would index every manual page: nothing this test
	# looks at.
	# shellcheck disable=SC2046
	in_layer sh -c 'rm -f /var/lib/man-db/auto-update && dpkg -i "$@" </dev/null' \
		sh $(debs "$out")
	for p in $packages; do
		in_layer dpkg-query -W -f='${Status} ${Version}\n' "$p" | tee /dev/stderr |
			grep -qx "install ok installed $version"
	done
	in_layer dkms status -m vsock-cidreg | tee /dev/stderr |
		grep -q "vsock-cidreg/$version, $k, x86_64: installed"
	[ -e "$layer/usr/up/lib/modules/$k/updates/dkms/vsock_cidreg.ko" ]
	# Nothing of it on the host.
	[ "$(md5sum </var/lib/dpkg/status)" = "$status" ]
	[ ! -e /var/lib/dkms/vsock-cidreg ]
}

# The same packages as version VERSION.1: an upgrade, as dpkg sees one.
upgrade_built() {
	local f p
	mkdir -p "$out/upgrade" "$d/pkg"
	for f in $(debs "$out"); do
		p=$d/pkg/$(basename "$f")
		dpkg-deb -R "$f" "$p"
		sed -i -e "s/^Version: $version\$/Version: $version.1/" \
			-e "s/(= $version)/(= $version.1)/g" "$p/DEBIAN/control"
		dpkg-deb -b --root-owner-group "$p" "$out/upgrade/" >/dev/null
	done
	[ "$(ls "$out/upgrade" | wc -l)" = 4 ]
}

echo "TAP version 13"
echo "1..$((1 + 1 + 1 + 2 * ${CIDREG_LONG:-0} + 1 + inside + 1 + 2))"
tap make_deb_builds_four_packages_lintian_clean built
tap the_dkms_dependency_is_met_on_debian_11_and_ubuntu_22_04 dkms_dependency_met_where_nodes_are
[ "${CIDREG_LONG:-0}" != 1 ] ||
	tap make_deb_cross_builds_the_arm64_packages_lintian_clean cross_built
tap an_upgrade_neither_stops_nor_restarts_the_unit unit_left_alone_on_upgrade
[ "${CIDREG_LONG:-0}" != 1 ] || tap upgrade_packages_built upgrade_built
tap dpkg_installs_the_four_packages_and_dkms_builds installed
# The upgrade builds the module a second time.
tap_vm $inside -k distro -t $((1200 + 900 * ${CIDREG_LONG:-0})) -s -deb
tap remove_leaves_the_config_files in_layer "$self" --in-layer remove_keeps_config_only
tap purge_removes_the_config_files in_layer "$self" --in-layer purge_removes_config
exit $((fails > 0))
