#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A real libvirt against the real module, in the VM: Debian's libvirtd
# (the qemu driver, which calls VHOST_VSOCK_SET_GUEST_CID itself, as
# virtqemud does, and passes the vhost fd to QEMU) runs in pods, one per
# network namespace and mount namespace, as KubeVirt's virt-launcher runs
# virtqemud, and in the initial netns; each defines and starts paused TCG
# domains (no disk) with a vsock device. See Documentation/integration.md.
# Prints TAP. Needs root, libvirtd, virsh, qemu-system-x86_64, python3.
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
cidctl=$repo/build/tools/cidctl
export PATH=$repo/build/tools:$PATH
tmp=$(mktemp -d)
d=$tmp
pods=(lv-a lv-b lv-init)
declare -A daemon

# Nothing may outlive the test: a QEMU left running would hold its CID
# (and the module) for the programs after it.
cleanup() {
	local p
	trap - EXIT INT TERM
	for p in "${pods[@]}"; do
		[ -n "${daemon[$p]:-}" ] && kill "${daemon[$p]}" 2>/dev/null
	done
	pkill -f 'qemu-system-x86_64 -name guest=vm-' 2>/dev/null
	sleep 2
	for p in "${pods[@]}"; do
		[ -n "${daemon[$p]:-}" ] && kill -9 "${daemon[$p]}" 2>/dev/null
	done
	pkill -9 -f 'qemu-system-x86_64 -name guest=vm-' 2>/dev/null
	for p in lv-a lv-b; do ip netns del "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' INT TERM

# shellcheck source=lib/tap.sh
. "$repo/selftests/lib/tap.sh"

# The configuration a pod's libvirtd runs with: root, no cgroups, no
# namespaces of its own, no security driver, no virtlogd (the VM has no
# systemd and no D-Bus; libvirtd says so in its log and goes on).
mkdir -p "$tmp/etc" "$tmp/cache"
cp -a /etc/libvirt/. "$tmp/etc/"
cat >"$tmp/etc/qemu.conf" <<'EOF'
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
EOF

# `start_libvirtd POD`: libvirtd in netns POD (lv-init: the initial one)
# and a mount namespace of its own, with its own /run/libvirt and
# /var/lib/libvirt, as in a pod; the capabilities cache is shared, so
# that QEMU is probed once.
start_libvirtd() {
	local pod=$1 netns=() i
	[ "$pod" = lv-init ] || { ip netns add "$pod"; netns=(ip netns exec "$pod"); }
	mkdir -p "$tmp/$pod/log"
	"${netns[@]}" unshare -m --propagation private bash -c '
		for dir in /run/libvirt /var/lib/libvirt /var/log/libvirt; do
			mkdir -p "$dir" && mount -t tmpfs tmpfs "$dir" || exit 1
		done
		mount -t tmpfs tmpfs /var/cache &&
		mkdir -p /var/cache/libvirt &&
		mount --bind "$1/cache" /var/cache/libvirt &&
		mount --bind "$1/etc" /etc/libvirt &&
		exec libvirtd --pid-file "$1/$2/pid"' sh "$tmp" "$pod" \
		>"$tmp/$pod/log/libvirtd" 2>&1 &
	daemon[$pod]=$!
	for i in $(seq 300); do
		virsh_in "$pod" version >/dev/null 2>&1 && return 0
		kill -0 "${daemon[$pod]}" 2>/dev/null || break
		sleep 0.2
	done
	echo "libvirtd in $pod did not start:"
	cat "$tmp/$pod/log/libvirtd"
	return 1
}

# `virsh_in POD ARGS...`: virsh, in POD's namespaces (its libvirtd's socket).
virsh_in() {
	local pod=$1
	shift
	# Minutes at most, on the debug kernel under TCG too.
	timeout 300 nsenter -t "${daemon[$pod]}" -m -n virsh -q -c qemu:///system "$@"
}

# `domain NAME CID`: a domain's XML; CID "auto" for <cid auto='yes'/>.
domain() {
	local cid="<cid auto='no' address='$2'/>"
	[ "$2" = auto ] && cid="<cid auto='yes'/>"
	cat <<-EOF
	<domain type='qemu'>
	  <name>$1</name>
	  <memory unit='MiB'>64</memory>
	  <vcpu>1</vcpu>
	  <os><type arch='x86_64' machine='pc'>hvm</type></os>
	  <devices>
	    <emulator>/usr/bin/qemu-system-x86_64</emulator>
	    <vsock model='virtio'>$cid</vsock>
	  </devices>
	</domain>
	EOF
}

# `start_domain POD NAME CID`: defines and starts NAME paused; its
# virsh's error in $tmp/err. Fails if it does not start.
start_domain() {
	domain "$2" "$3" >"$tmp/$2.xml"
	virsh_in "$1" define "$tmp/$2.xml" >/dev/null
	virsh_in "$1" start --paused "$2" >/dev/null 2>"$tmp/err"
}

stop_domain() {
	virsh_in "$1" destroy "$2" >/dev/null 2>&1 || true
	virsh_in "$1" undefine "$2" >/dev/null
}

# The CID libvirt gave domain NAME of POD.
domain_cid() {
	virsh_in "$1" dumpxml "$2" |
		sed -n "s/.*<cid auto='[a-z]*' address='\([0-9]*\)'.*/\1/p"
}

ino() { stat -Lc %i "/run/netns/$1"; }

denied_set_cid() {
	cidctl -j stats | python3 -c "import json,sys; print(int(json.load(sys.stdin)['ops']['set-cid']['denied']))"
}

reset() {
	cidctl release --all --every-netns >/dev/null 2>&1 || true
	cidctl config mode enforce strict no quota 256 cid-min 3 cid-max 4294967294
}

# <cid auto='yes'/> in a pod: libvirt probes upward from 3 and moves on
# at EADDRINUSE only; the CIDs another pod reserved are busy to it, so it
# starts with the first free one, which its netns adopts while the VM runs.
t_auto_skips_other_pods_reservations() {
	reset
	for c in 3 4 5; do cidctl reserve $c --netns lv-b --label kubevirt/b/vm >/dev/null; done
	before=$(denied_set_cid)
	start_domain lv-a vm-auto auto || { cat "$tmp/err"; return 1; }
	[ "$(domain_cid lv-a vm-auto)" = 6 ]
	cidctl -j show 6 | json "j['kind']=='adopted' and j['attached'] and j['netns']==$(ino lv-a)"
	# Each CID it probed was a denial, counted and logged with its rule.
	[ "$(denied_set_cid)" = $((before + 3)) ]
	dmesg | grep -q "denied set-cid (foreign): pid [0-9]* comm [^ ]* netns $(ino lv-a) cid 5 "
	# pod-b's reservations are untouched.
	cidctl -j show 3 | json "j['kind']=='persistent' and not j['attached'] and j['netns']==$(ino lv-b)"
	stop_domain lv-a vm-auto
	# The VM gone, its adopted CID is free again.
	! cidctl show 6 >/dev/null 2>&1
}

# strict: an unreserved CID is refused with EPERM, which libvirt does not
# skip: the domain does not start, and says why.
t_auto_under_strict_is_refused() {
	reset
	cidctl config strict yes
	if start_domain lv-a vm-strict auto; then
		stop_domain lv-a vm-strict
		echo "started under strict"
		return 1
	fi
	cat "$tmp/err"
	grep -q 'Operation not permitted' "$tmp/err"
	virsh_in lv-a undefine vm-strict >/dev/null
	cidctl config strict no
}

# <cid auto='no' address='N'/>, as KubeVirt writes it: N reserved for the
# pod starts (also under strict); N reserved for another pod is refused.
t_given_cid_needs_the_pods_reservation() {
	reset
	cidctl config strict yes
	cidctl reserve 4100 --netns lv-a --label kubevirt/a/vm >/dev/null
	cidctl reserve 4101 --netns lv-b --label kubevirt/b/vm >/dev/null
	start_domain lv-a vm-own 4100 || { cat "$tmp/err"; return 1; }
	cidctl -j show 4100 | json "j['kind']=='persistent' and j['attached'] and j['netns']==$(ino lv-a)"
	if start_domain lv-a vm-other 4101; then
		echo "took another pod's reservation"
		return 1
	fi
	cat "$tmp/err"
	grep -q 'Address already in use' "$tmp/err"
	virsh_in lv-a undefine vm-other >/dev/null
	cidctl -j show 4101 | json "not j['attached'] and j['netns']==$(ino lv-b)"
	stop_domain lv-a vm-own
	# The reservation outlives the VM, detached.
	cidctl -j show 4100 | json "j['kind']=='persistent' and not j['attached']"
}

# libvirt in the trusted initial netns: trust reaches guests, it does not
# take reservations, so auto='yes' never lands on a pod's CID.
t_trusted_auto_never_lands_on_a_pods_cid() {
	reset
	for c in 3 4; do cidctl reserve $c --netns lv-a >/dev/null; done
	cidctl reserve 5 --netns lv-b >/dev/null
	start_domain lv-init vm-host auto || { cat "$tmp/err"; return 1; }
	[ "$(domain_cid lv-init vm-host)" = 6 ]
	cidctl -j show 6 | json "j['kind']=='adopted' and j['own']"
	for c in 3 4 5; do cidctl -j show $c | json "not j['attached']"; done
	stop_domain lv-init vm-host
}

modprobe vhost_vsock
modprobe vsock_cidreg
echo "TAP version 13"
echo "1..5"
for p in "${pods[@]}"; do
	start_libvirtd "$p" >"$tmp/start-$p" 2>&1 || { cat "$tmp/start-$p"; break; }
done
# The daemons are this shell's: counted here, not in a subshell.
started=0
for p in "${pods[@]}"; do [ -n "${daemon[$p]:-}" ] && kill -0 "${daemon[$p]}" 2>/dev/null && started=$((started + 1)); done
tap daemons_started test "$started" = 3
tap_fn auto_cid_in_a_pod_skips_other_pods_reservations t_auto_skips_other_pods_reservations
tap_fn auto_cid_under_strict_is_refused_with_a_clear_error t_auto_under_strict_is_refused
tap_fn given_cid_needs_the_pods_own_reservation t_given_cid_needs_the_pods_reservation
tap_fn trusted_libvirt_never_lands_on_a_pods_reservation t_trusted_auto_never_lands_on_a_pods_cid
reset >/dev/null 2>&1
[ "$fails" -eq 0 ]
