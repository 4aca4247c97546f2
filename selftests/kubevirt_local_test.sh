#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Linux 7.0+: KubeVirt's path with vsock namespaces (VEP 222), as it runs
# there: every virt-launcher pod's netns is in vsock's local mode
# (child_ns_mode=local) and every VM gets CID 3 in it. Three launchers
# here, each with CID 3: two guests that answer (vsock-guestsim, which acts
# as the guest through /dev/vhost-vsock) and a real QEMU that gets its
# vhost fd passed, as virtqemud passes it. An agent dials each guest from
# inside its pod's netns and reaches that pod's guest alone; the node's
# netns reaches none (the kernel's isolation). What the module adds there:
# the node sees every launcher's CID 3 (listing, each in its space), the
# events of each, the quota and audit per space, and strict: a launcher's
# SET_GUEST_CID of CID 3 is refused unless the agent reserved CID 3 in that
# launcher's space first (Documentation/linux-7.0.md). Both ways run: strict
# off (CIDs adopted) and strict on (reserved first). Prints TAP. Needs
# root, python3, socat, qemu-system-x86_64 (selftests/tests: 7.x,
# userland, nested-qemu).
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
export PATH=$repo/build/tools:$PATH
gs=$repo/build/selftests/vsock-guestsim
vc=$repo/selftests/lib/vhost-cid.py
d=$(mktemp -d)
launchers=(kv-l1 kv-l2 kv-l3)
port=7300

cleanup() {
	local n
	trap - EXIT INT TERM
	pkill -f 'qemu-system-x86_64 -S -name kubevirt-local' 2>/dev/null
	pkill -f "$gs -c 3" 2>/dev/null
	sleep 1
	pkill -9 -f 'qemu-system-x86_64 -S -name kubevirt-local' 2>/dev/null
	pkill -9 -f "$gs -c 3" 2>/dev/null
	for n in "${launchers[@]}" kv-parent; do ip netns del "$n" 2>/dev/null; done
	cidctl config strict no quota 256 mode enforce >/dev/null 2>&1
	rm -rf "$d"
}
trap cleanup EXIT
trap 'exit 143' INT TERM

# shellcheck source=lib/tap.sh
. "$repo/selftests/lib/tap.sh"

echo "TAP version 13"
echo "1..5"

ino() { stat -Lc %i "/run/netns/$1"; }

vms_down() {
	pkill -f 'qemu-system-x86_64 -S -name kubevirt-local' 2>/dev/null || true
	pkill -f "$gs -c 3" 2>/dev/null || true
	sleep 0.5
}

# The launchers' netns, made from a netns whose children are local (the
# node's own child_ns_mode, which locks on its first write, stays global).
launchers_up() {
	local n
	vms_down
	modprobe vsock_cidreg
	modprobe vhost_vsock
	cidctl release --all --every-netns >/dev/null 2>&1 || true
	cidctl config mode enforce strict no quota 256 >/dev/null
	ip netns add kv-parent 2>/dev/null || true
	for n in "${launchers[@]}"; do
		ip netns del "$n" 2>/dev/null || true
		# nsenter, not ip netns exec: its private mount namespace would
		# keep the new netns's bind mount from /run/netns.
		nsenter --net=/run/netns/kv-parent sh -c \
			"echo local >/proc/sys/net/vsock/child_ns_mode && ip netns add $n"
		[ "$(ip netns exec "$n" cat /proc/sys/net/vsock/ns_mode)" = local ]
	done
}

# Starts launcher N's VM: a guest that answers "guest-N" on $port, or (for
# the last) a paused QEMU given its vhost fd with CID 3 set, as virtqemud
# does. Waits until the module shows its device attached in that space.
vm_up() { # LAUNCHER
	local n=$1
	if [ "$n" = kv-l3 ]; then
		ip netns exec "$n" python3 "$vc" set 3 -- qemu-system-x86_64 -S \
			-name kubevirt-local -M pc -m 64 -nodefaults -display none \
			-device 'vhost-vsock-pci,vhostfd=3,guest-cid={cid}' \
			>"$d/$n.out" 2>"$d/$n.err" &
	else
		echo "guest-$n" | ip netns exec "$n" "$gs" -c 3 listen "$port" \
			>"$d/$n.out" 2>"$d/$n.err" &
	fi
	for _ in $(seq 150); do
		ip netns exec "$n" cidctl -j show 3 2>/dev/null | json "j['attached']" &&
			return 0
		sleep 0.2
	done
	echo "$n: CID 3 never attached"
	cat "$d/$n.err"
	return 1
}

# The agent in pod N's netns dials CID 3: it reaches pod N's guest.
dial() { # LAUNCHER
	local got
	got=$(echo "agent" | ip netns exec "$1" timeout 20 socat -t 5 - VSOCK-CONNECT:3:$port)
	echo "$1 answered: $got"
	[ "$got" = "guest-$1" ]
}


flow() { # STRICT: yes or no
	local n kind=adopted
	launchers_up
	cidctl -j monitor >"$d/ev" &
	local m=$!
	sleep 0.5
	cidctl config strict "$1" >/dev/null
	if [ "$1" = yes ]; then
		kind=persistent
		# Under strict, a launcher may not take an unreserved CID, even
		# CID 3 in its own space: the agent reserves it there first.
		! ip netns exec kv-l1 "$gs" -c 3 listen "$port" 2>"$d/refused" </dev/null
		cat "$d/refused"
		grep -q 'Operation not permitted' "$d/refused"
		for n in "${launchers[@]}"; do
			cidctl reserve 3 --netns "/run/netns/$n" --label "kubevirt/$n" >/dev/null
		done
	fi
	for n in "${launchers[@]}"; do vm_up "$n"; done
	# The node lists every launcher's CID 3, each in its own space.
	cidctl -j list >"$d/list"
	cat "$d/list"
	json "sorted(e['netns'] for e in j if e['cid']==3 and e.get('local') and e['kind']=='$kind' and e['attached'])==sorted([$(ino kv-l1),$(ino kv-l2),$(ino kv-l3)])" <"$d/list"
	# The QEMU of the last launcher holds its CID 3.
	q=$(pgrep -f '^qemu-system-x86_64 -S -name kubevirt-local')
	cidctl -j list --holder "$q" | json "[(e['cid'], e['netns']) for e in j]==[(3, $(ino kv-l3))]"
	# Each agent reaches its own pod's guest; the node reaches none.
	dial kv-l1
	dial kv-l2
	! timeout 20 socat -t 5 - VSOCK-CONNECT:3:$port </dev/null 2>"$d/node"
	cat "$d/node"
	grep -q 'No such device' "$d/node"
	vms_down
	kill "$m"
	wait "$m" 2>/dev/null || true
	cat "$d/ev"
	# An event for each launcher's device, each in its local space.
	python3 - "$d/ev" "$(ino kv-l1)" "$(ino kv-l2)" "$(ino kv-l3)" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
want = set(int(x) for x in sys.argv[2:])
got = set(e.get('netns') for e in evs
          if e.get('event') == 'attached' and e.get('cid') == 3
          and e.get('space') == 'local')
sys.exit(0 if got == want else 'attached events of %s, not %s' % (got, want))
PY
	cidctl release --all --every-netns >/dev/null
}

t_strict_off() { flow no; }
t_strict_on() { flow yes; }

# The quota holds per pod in a local space: a launcher that takes a second
# CID over a quota of 1 is refused (enforce) or logged (audit).
t_quota_and_audit() {
	launchers_up
	cidctl config quota 1 >/dev/null
	vm_up kv-l1
	! ip netns exec kv-l1 "$gs" -c 4 listen "$port" </dev/null 2>"$d/quota"
	cat "$d/quota"
	grep -q 'Disk quota exceeded' "$d/quota"
	cidctl config mode audit >/dev/null
	# Audit: the launcher gets CID 4 (its guest answers), and the module
	# counts what enforce would have refused.
	echo guest-4 | ip netns exec kv-l1 "$gs" -c 4 listen "$port" >/dev/null 2>"$d/audit" &
	local got=""
	for _ in $(seq 40); do
		got=$(echo agent | ip netns exec kv-l1 timeout 5 socat -t 2 - VSOCK-CONNECT:4:$port 2>/dev/null) || true
		[ "$got" != guest-4 ] || break
		sleep 0.5
	done
	cat "$d/audit"
	[ "$got" = guest-4 ]
	cidctl -j stats >"$d/stats"
	json "int(j['ops']['set-cid']['audited'])>=1" <"$d/stats"
	vms_down
	cidctl config mode enforce quota 256 >/dev/null
	cidctl release --all --every-netns >/dev/null
}

# Every entry gone: adopted ones end with their device, after its process.
registry_empty() {
	for _ in $(seq 50); do
		[ "$(cidctl -j list)" = "[]" ] && return 0
		sleep 0.2
	done
	cidctl list
	return 1
}

# The same flow with the module unloaded: the kernel alone isolates the
# launchers, but nobody sees their CIDs.
t_kernel_alone() {
	launchers_up
	registry_empty
	modprobe -r vsock_cidreg
	echo "guest-kv-l1" | ip netns exec kv-l1 "$gs" -c 3 listen "$port" >/dev/null 2>&1 &
	echo "guest-kv-l2" | ip netns exec kv-l2 "$gs" -c 3 listen "$port" >/dev/null 2>&1 &
	sleep 1
	dial kv-l1
	dial kv-l2
	vms_down
	modprobe vsock_cidreg
}

tap_fn strict_off_each_launcher_adopts_cid_3_in_its_space t_strict_off
tap_fn strict_on_the_agent_reserves_cid_3_in_each_space_first t_strict_on
tap_fn quota_and_audit_hold_in_a_local_space t_quota_and_audit
tap_fn the_kernel_alone_isolates_the_launchers t_kernel_alone
tap every_vm_is_gone vms_down
exit $((fails > 0))
