#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM stacks' other flows against the real module, in the VM, each as
# the stack runs it (Documentation/integration.md tells them step by step):
# virtqemud setting the CID and passing the vhost fd to a real QEMU; Kata's
# random start with a retry on any error (the Go runtime) and 50 random
# tries moving on only on EADDRINUSE (runtime-rs); a node agent in its own pod
# netns that trusts itself, reserves for pods, restarts and reconciles;
# a live-migration hand-off by transfer. Guests are vsock-guestsim or a
# paused QEMU. Prints TAP. Needs root, python3, qemu-system-x86_64, socat.
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
export PATH=$repo/build/tools:$PATH
gs=$repo/build/selftests/vsock-guestsim
vc=$repo/selftests/lib/vhost-cid.py
tmp=$(mktemp -d)
d=$tmp
nets=(st-a st-b st-agent st-src st-dst)

# Nothing may outlive the test: a VM left running would hold its CID
# (and the module) for the programs after it.
cleanup() {
	local n
	trap - EXIT INT TERM
	pkill -f 'qemu-system-x86_64 -S -name stacks' 2>/dev/null
	pkill -f "$gs" 2>/dev/null
	sleep 1
	pkill -9 -f 'qemu-system-x86_64 -S -name stacks' 2>/dev/null
	pkill -9 -f "$gs" 2>/dev/null
	for n in "${nets[@]}"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' INT TERM

# shellcheck source=lib/tap.sh
. "$repo/selftests/lib/tap.sh"

ino() { stat -Lc %i "/run/netns/$1"; }

# A paused QEMU whose vhost-vsock device is the fd 3 it inherits.
qemu=(qemu-system-x86_64 -S -name stacks -M pc -m 64 -nodefaults -display none
	-device 'vhost-vsock-pci,vhostfd=3,guest-cid={cid}')

reset() {
	local n
	pkill -f 'qemu-system-x86_64 -S -name stacks' 2>/dev/null || true
	pkill -f "$gs" 2>/dev/null || true
	cidctl release --all --every-netns >/dev/null 2>&1 || true
	for n in "${nets[@]}"; do ip netns del "$n" 2>/dev/null || true; done
	cidctl config mode enforce strict no quota 256 cid-min 3 cid-max 4294967294
	for n in "${nets[@]}"; do ip netns add "$n"; done
}

# `attached CID [yes|no]`: waits up to 30 s for CID's device to come (go).
attached() {
	local want=${2:-yes} i
	for i in $(seq 150); do
		if [ "$want" = yes ]; then
			cidctl -j show "$1" 2>/dev/null | json "j['attached']" && return 0
		else
			cidctl -j show "$1" 2>/dev/null | json "not j['attached']" && return 0
		fi
		sleep 0.2
	done
	echo "CID $1: attached is not $want"
	cat "$tmp"/q* "$tmp/gs" 2>/dev/null
	cidctl show "$1"
	return 1
}

# virtqemud in the launcher pod reads <cid auto='no' address='N'/>, sets N
# on /dev/vhost-vsock itself and starts QEMU with vhostfd= (QEMU sets the
# same CID again on the fd it got): N reserved for the pod runs, held by
# the pod; another pod's virtqemud asking for N gets EADDRINUSE.
t_virtqemud_passes_the_fd_to_qemu() {
	reset
	cidctl reserve 5100 --netns st-a --label kubevirt/a/vm >/dev/null
	ip netns exec st-a python3 "$vc" set 5100 -- "${qemu[@]}" >"$tmp/qa" 2>&1 & q=$!
	attached 5100
	cidctl -j show 5100 | json "j['kind']=='persistent' and j['netns']==$(ino st-a) and j['holder_pid']==$q"
	sleep 1
	kill -0 $q
	grep -qx 'cid 5100' "$tmp/qa"
	rc=0; ip netns exec st-b python3 "$vc" set 5100 -- true 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q 'Address already in use (EADDRINUSE)' "$tmp/e"
	kill $q; wait $q 2>/dev/null || true
	attached 5100 no
}

# Kata's FindContextID: a random start, the next CID on any error, the fd
# passed to the VMM. Another pod's block of reservations is skipped; the
# CID it lands on is adopted by its netns for the VM's lifetime.
t_kata_skips_reserved_cids() {
	reset
	for c in $(seq 5200 5204); do cidctl reserve "$c" --netns st-b >/dev/null; done
	start=$((5200 + RANDOM % 5))
	ip netns exec st-a python3 "$vc" kata "$start" -- "${qemu[@]}" >"$tmp/qa" 2>&1 & q=$!
	attached 5205
	grep -qx 'cid 5205' "$tmp/qa"
	cidctl -j show 5205 | json "j['kind']=='adopted' and j['netns']==$(ino st-a)"
	for c in $(seq 5200 5204); do cidctl -j show "$c" | json "not j['attached'] and j['netns']==$(ino st-b)"; done
	kill $q; wait $q 2>/dev/null || true
	# The VM gone, the adopted CID is free.
	for _ in $(seq 50); do cidctl show 5205 >/dev/null 2>&1 || break; sleep 0.2; done
	! cidctl show 5205 >/dev/null 2>&1
}

# Kata's runtime-rs (virtio_vsock.rs): 50 random CIDs, the next only on
# EADDRINUSE (what the module gives for another pod's reservation), the
# probe's fd closed and the VMM setting the CID found on its own device.
# Never a reserved CID: it lands on a free one, or fails after its 50
# tries with its own error when every CID of its range is another pod's.
# Under strict an unreserved CID is EPERM, which runtime-rs does not
# retry: the sandbox fails at once, unless its pod reserved the CID.
t_kata_rs_takes_only_free_cids() {
	reset
	for c in $(seq 5500 5504); do cidctl reserve "$c" --netns st-b >/dev/null; done
	ip netns exec st-a python3 "$vc" kata-rs 5500-5509 -- "${qemu[@]}" >"$tmp/qa" 2>&1 & q=$!
	for _ in $(seq 150); do grep -q '^cid ' "$tmp/qa" && break; sleep 0.2; done
	cid=$(sed -n 's/^cid //p' "$tmp/qa")
	[ "$cid" -ge 5505 ] && [ "$cid" -le 5509 ]
	attached "$cid"
	cidctl -j show "$cid" | json "j['kind']=='adopted' and j['netns']==$(ino st-a) and j['holder_pid']==$q"
	for c in $(seq 5500 5504); do cidctl -j show "$c" | json "not j['attached'] and j['netns']==$(ino st-b)"; done
	kill $q; wait $q 2>/dev/null || true
	rc=0; ip netns exec st-a python3 "$vc" kata-rs 5500-5504 -- true 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -qx 'vhost-cid: failed to find a free vsock context ID after 50 attempts' "$tmp/e"
	cidctl config strict yes
	rc=0; ip netns exec st-a python3 "$vc" kata-rs 5510-5519 -- true 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -qx 'vhost-cid: failed to set guest CID: Operation not permitted (EPERM)' "$tmp/e"
	cidctl reserve 5520 --netns st-a >/dev/null
	ip netns exec st-a python3 "$vc" kata-rs 5520-5520 -- "${qemu[@]}" >"$tmp/qa" 2>&1 & q=$!
	attached 5520
	cidctl -j show 5520 | json "j['kind']=='persistent' and j['netns']==$(ino st-a)"
	kill $q; wait $q 2>/dev/null || true
}

# `echo_through NETNS CID`: a line sent to the guest's echo port from NETNS
# comes back.
echo_through() {
	[ "$(echo ping | ip netns exec "$1" timeout 20 socat -t 5 - VSOCK-CONNECT:"$2":7000)" = ping ]
}

# A node agent (virt-handler) in its own pod netns, with CAP_SYS_ADMIN and
# CAP_NET_ADMIN: trusts its netns at start-up, reserves for a pod (owned
# by the pod, labelled), reaches the pod's guest. It restarts: its netns
# goes and a new one comes, untrusted; the reservation stays the pod's. It
# trusts itself again, finds its CIDs by label and reaches the guest again.
t_agent_restarts_and_reconciles() {
	reset
	agent=(ip netns exec st-agent)
	"${agent[@]}" cidctl trust --netns self
	"${agent[@]}" cidctl reserve 5300 --netns st-a --label kubevirt/ns1/vm-a >/dev/null
	ip netns exec st-a "$gs" -c 5300 listen 7000 --echo & g=$!
	attached 5300
	echo_through st-agent 5300
	wait $g
	# The agent's pod restarts.
	ip netns del st-agent
	ip netns add st-agent
	cidctl -j show 5300 | json "j['kind']=='persistent' and j['netns']==$(ino st-a) and j['label']=='kubevirt/ns1/vm-a'"
	ip netns exec st-a "$gs" -c 5300 listen 7000 --echo & g=$!
	attached 5300
	# Not trusted yet: the new netns may not reach the pod's guest.
	! echo_through st-agent 5300 2>"$tmp/e"
	"${agent[@]}" cidctl trust --netns self
	"${agent[@]}" cidctl -j list --label-prefix kubevirt/ |
		json "[(e['cid'], e['netns'], e['attached']) for e in j]==[(5300, $(ino st-a), True)]"
	echo_through st-agent 5300
	wait $g
}

# Live migration on one node: the target pod gets the CID by transfer
# while the source's VM still holds it; the source stops, and only the
# target may set it then.
t_migration_hands_off_by_transfer() {
	reset
	cidctl reserve 5400 --netns st-src --label kubevirt/ns1/vm-m >/dev/null
	ip netns exec st-src "$gs" -c 5400 listen 7000 --echo 2>"$tmp/gs" & g=$!
	attached 5400
	cidctl transfer 5400 --netns st-dst
	cidctl -j show 5400 | json "j['netns']==$(ino st-dst) and j['attached'] and j['kind']=='persistent'"
	# The target's QEMU cannot take it while the source's device holds it.
	rc=0; ip netns exec st-dst python3 "$vc" set 5400 -- true 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q 'EADDRINUSE' "$tmp/e"
	kill $g; wait $g 2>/dev/null || true
	attached 5400 no
	# The source cannot take it back; the target's VM starts with it.
	rc=0; ip netns exec st-src python3 "$vc" set 5400 -- true 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q 'EADDRINUSE' "$tmp/e"
	ip netns exec st-dst python3 "$vc" set 5400 -- "${qemu[@]}" >"$tmp/qd" 2>&1 & q=$!
	attached 5400
	cidctl -j show 5400 | json "j['netns']==$(ino st-dst) and j['holder_pid']==$q"
	kill $q; wait $q 2>/dev/null || true
}

modprobe vhost_vsock
modprobe vsock_cidreg
echo "TAP version 13"
echo "1..5"
tap_fn virtqemud_sets_the_cid_and_passes_the_fd_to_qemu t_virtqemud_passes_the_fd_to_qemu
tap_fn kata_random_start_skips_other_pods_cids t_kata_skips_reserved_cids
tap_fn kata_runtime_rs_takes_only_free_cids t_kata_rs_takes_only_free_cids
tap_fn node_agent_in_a_pod_restarts_and_reconciles t_agent_restarts_and_reconciles
tap_fn live_migration_hands_the_cid_off_by_transfer t_migration_hands_off_by_transfer
reset >/dev/null 2>&1
for n in "${nets[@]}"; do ip netns del "$n" 2>/dev/null; done
[ "$fails" -eq 0 ]
