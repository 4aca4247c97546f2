#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages as a node installs them: `make deb` (dpkg-buildpackage
# and lintian), then a VM of the distro kernel whose /usr, /etc and /var
# are the host's with a writable layer over them, where dpkg installs the
# four packages: DKMS builds the module for the running kernel, modprobe
# loads it, the unit's ExecStart lines apply /etc/vsock-cidreg.conf, a
# program builds with pkg-config and runs, an edited conffile survives a
# reinstall and an upgrade, and remove and purge leave what admin-guide.md
# says. Needs root. Prints TAP.
#
# The upgrade builds the module with DKMS a second time: about 5 minutes
# under TCG, so it runs in make check-kernels (CIDREG_LONG=1) and not in
# make check, which keeps the reinstall.
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

# The host's /usr, /etc and /var, writable: what dpkg changes goes to a
# tmpfs. A bind mount of / shows them without the VM's own mounts.
writable_root() {
	local d
	mkdir -p /mnt/host /tmp/layer
	mount --bind / /mnt/host
	for d in usr etc var; do
		mkdir -p /tmp/layer/$d/up /tmp/layer/$d/work
		mount -t overlay overlay -o "lowerdir=/mnt/host/$d,upperdir=/tmp/layer/$d/up,workdir=/tmp/layer/$d/work" /$d
	done
	mkdir -p /var/tmp /var/log && chmod 1777 /var/tmp
	# man-db's trigger would index every manual page after each dpkg run:
	# minutes under TCG, and nothing this test looks at.
	rm -f /var/lib/man-db/auto-update
}

installed() {
	# shellcheck disable=SC2046
	dpkg -i $(debs "$out") </dev/null
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
	grep -qx "cidctl: /etc/vsock-cidreg.conf:$line: bad value 'maybe' for strict; see cidctl(8); nothing was changed" "$d/err"
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
			struct cidreg_reserve_req req = { .any = true };
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

remove_keeps_config_only() {
	modprobe -r vsock_cidreg
	# shellcheck disable=SC2086
	dpkg -r $packages </dev/null
	[ ! -e /usr/bin/cidctl ] && [ ! -e /usr/lib/x86_64-linux-gnu/libcidreg.so.0 ]
	[ ! -e /usr/src/vsock-cidreg-$version ]
	[ -z "$(find /lib/modules/"$kver" -name 'vsock_cidreg.ko*')" ]
	[ -z "$(dkms status -m vsock-cidreg)" ]
	! modinfo vsock_cidreg 2>/dev/null
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
	tap writable_root writable_root
	tap dpkg_installs_the_four_packages_and_dkms_builds installed
	tap modprobe_loads_the_dkms_build modprobe_loads_the_dkms_build
	tap unit_is_valid_and_enabled unit_verifies
	tap unit_applies_the_config unit_applies_the_config
	tap bad_config_fails_the_unit_and_changes_nothing bad_config_fails_the_unit_and_changes_nothing
	tap program_links_with_pkg_config_without_ldconfig links_with_pkg_config_without_ldconfig
	tap prometheus_metrics_read_by_promtool metrics_read_by_promtool
	tap reinstall_keeps_the_edited_conffile reinstall_keeps_the_edited_conffile

	if [ "${CIDREG_LONG:-0}" = 1 ]; then
		tap upgrade_keeps_the_edited_conffile upgrade_keeps_the_edited_conffile
	fi
	tap remove_leaves_the_config_files remove_keeps_config_only
	tap purge_removes_the_config_files purge_removes_config
}
inside=11
[ "${CIDREG_LONG:-0}" != 1 ] || inside=12

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
tap_inside "$@"

# On the host -----------------------------------------------------------

built() {
	"$repo/scripts/deb.sh" --worktree
	[ "$(debs "$out" | wc -l)" = 4 ]
	! grep -E '^[EW]: ' "$out/lintian.log"
}

# The same packages as version VERSION.1: an upgrade, as dpkg sees one.
upgrade_built() {
	local f p
	mkdir -p "$out/upgrade" "$d/pkg"
	for f in $(debs "$out"); do
		p=$d/pkg/$(basename "$f")
		dpkg-deb -R "$f" "$p"
		sed -i -e "s/^Version: $version\$/Version: $version.1/" \
			-e "s/(= $version)/(= $version.1)/" "$p/DEBIAN/control"
		dpkg-deb -b --root-owner-group "$p" "$out/upgrade/" >/dev/null
	done
	[ "$(ls "$out/upgrade" | wc -l)" = 4 ]
}

echo "TAP version 13"
echo "1..$((1 + ${CIDREG_LONG:-0} + inside + 1))"
tap make_deb_builds_four_packages_lintian_clean built
[ "${CIDREG_LONG:-0}" != 1 ] || tap upgrade_packages_built upgrade_built
# The upgrade builds the module a second time.
tap_vm $inside -k distro -t $((1200 + 900 * ${CIDREG_LONG:-0})) -s -deb
exit $((fails > 0))
