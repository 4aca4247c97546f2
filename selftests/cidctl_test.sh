#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# cidctl end to end against the real module, in the VM: every subcommand,
# JSON output checked against the registry, leases held for a command,
# QEMU started under a lease, monitor, permission denials, valgrind.
# Prints TAP. Needs root, python3, qemu-system-x86_64, valgrind.
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
cidctl=$repo/build/tools/cidctl
export PATH=$repo/build/tools:$PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; ip netns del cidctl-a 2>/dev/null' EXIT

n=0 fails=0
tap() { # NAME FUNCTION
	local rc
	n=$((n + 1))
	# Not in a condition: there, bash would ignore set -e.
	( set -e; "$2" ) >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		sed 's/^/#   /' "$tmp/out"
		fails=$((fails + 1))
	fi
}

json() { # PYTHON-EXPRESSION over j, read from stdin; fails if false
	python3 -c "import json,sys; j=json.load(sys.stdin); sys.exit(0 if ($1) else 1)"
}

reset() {
	cidctl release --all >/dev/null 2>&1 || true
	ip netns del cidctl-a 2>/dev/null || true
	cidctl config mode enforce strict no protected-ports none quota 256 \
		cid-min 3 cid-max 4294967294
}

t_status_loaded() {
	modprobe vsock_cidreg
	cidctl -j status | json "j['loaded'] and j['state']=='live' and j['version']=='$(cat /sys/module/vsock_cidreg/version)' and j['mode']=='enforce'"
	cidctl status | grep -q 'vsock_cidreg live, version'
	# Each hook and its state, in text and JSON; no hooks= setting.
	modprobe vhost_vsock
	cidctl -j status | json "j['hooks']['vsock:vsock_find_cid']=='verified' and j['hooks']['vhost_vsock:vhost_vsock_dev_ioctl']=='placed' and j['hooks']['vhost_vsock:vhost_vsock_get']=='resolved' and len(j['hooks'])==6"
	cidctl status >"$tmp/s"
	grep -Eq '^hooks: +vsock:__vsock_bind +placed$' "$tmp/s"
	! grep -q 'hooks=' "$tmp/s"
}

t_status_unloaded() {
	modprobe -r vsock_cidreg
	rc=0; cidctl status >"$tmp/s" || rc=$?
	modprobe vsock_cidreg
	[ "$rc" = 3 ]; grep -q 'modprobe vsock_cidreg' "$tmp/s"
	rc=0; modprobe -r vsock_cidreg; cidctl list 2>"$tmp/e" || rc=$?
	modprobe vsock_cidreg
	[ "$rc" = 3 ]; grep -qx 'cidctl: open: the vsock_cidreg module is not loaded; load it: modprobe vsock_cidreg' "$tmp/e"
	# A usage error is one whether the module is there or not.
	rc=0; modprobe -r vsock_cidreg; cidctl config mode loud 2>"$tmp/e" || rc=$?
	modprobe vsock_cidreg
	[ "$rc" = 2 ]; grep -qx "cidctl: config: bad value 'loud' for mode; see cidctl(8)" "$tmp/e"
}

t_reserve_show_json() {
	reset
	[ "$(cidctl reserve 3500 --label pod/vm-1)" = 3500 ]
	cidctl -j show 3500 >"$tmp/show"
	json "j['cid']==3500 and j['kind']=='persistent' and j['label']=='pod/vm-1' and j['own'] and j['netns']==$(stat -Lc %i /proc/self/ns/net)" <"$tmp/show"
	cidctl -j list | json "[e for e in j if e['cid']==3500][0]==$(cat "$tmp/show" | python3 -c 'import json,sys; print(json.load(sys.stdin))')"
	cidctl list | grep -qE '^3500 +persistent'
	rc=0; cidctl reserve 3500 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q 'already reserved' "$tmp/e"
}

t_reserve_range() {
	reset
	[ "$(cidctl reserve --range 3600-3610 --lowest)" = 3600 ]
	[ "$(cidctl -j reserve --range 3600-3601 --lowest)" = '{"cid":3601}' ]
	rc=0; cidctl reserve --range 3600-3601 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q 'no free CID' "$tmp/e"
}

t_netns_list_transfer_release() {
	reset
	ip netns add cidctl-a
	[ "$(cidctl reserve 3700 --netns cidctl-a)" = 3700 ]
	cidctl reserve 3701 >/dev/null
	cidctl -j list --netns cidctl-a | json "len(j)==1 and j[0]['cid']==3700 and j[0]['netns']==$(stat -Lc %i /run/netns/cidctl-a)"
	cidctl transfer 3701 --netns /run/netns/cidctl-a
	cidctl -j list --netns cidctl-a | json "sorted(e['cid'] for e in j)==[3700,3701]"
	cidctl release 3700
	[ "$(cidctl -j release --all --netns cidctl-a)" = '{"released":1}' ]
	cidctl -j list | json "j==[]"
	cidctl reserve 3702 --netns cidctl-a >/dev/null
	cidctl reserve 3703 >/dev/null
	[ "$(cidctl release --all --every-netns)" = 'released 2' ]
	cidctl -j list | json "j==[]"
}

t_reserve_command_holds_lease() {
	reset
	cidctl reserve 3800 -- sh -c 'test "$VSOCK_CID" = 3800 && test "$0" = x3800y && cidctl -j show 3800 | grep -q "\"kind\":\"lease\""' 'x{cid}y'
	cidctl -j list | json "j==[]"
	rc=0; cidctl reserve 3800 -- sh -c 'exit 7' || rc=$?
	[ "$rc" = 7 ]
	rc=0; cidctl reserve 3800 -- /nonexistent 2>/dev/null || rc=$?
	[ "$rc" = 127 ]
	cidctl -j list | json "j==[]"
}

t_qemu_under_a_lease() {
	reset
	cidctl reserve --range 3900-3999 -- sh -c '
		qemu-system-x86_64 -M pc -S -nodefaults -display none -m 32 \
			-monitor none -device vhost-vsock-pci,guest-cid={cid} & q=$!
		for i in $(seq 60); do
			cidctl -j show $VSOCK_CID >'"$tmp"'/q.json
			grep -q "\"holder_pid\":$q" '"$tmp"'/q.json && break
			sleep 1
		done
		kill $q; wait $q 2>/dev/null; true'
	json "j['attached'] and j['kind']=='lease' and 3900 <= j['cid'] <= 3999" <"$tmp/q.json"
	cidctl -j list | json "j==[]"
}

t_stats_config() {
	reset
	cidctl -j stats | json "'entries' in j and set(j['ops'])=={'set-cid','connect','accept','bind-cid','bind-port'}"
	cidctl config mode audit strict yes protected-ports 22,8080 quota 9
	cidctl -j config | json "j=={'mode':'audit','strict':True,'cid_min':3,'cid_max':4294967294,'quota':9,'protected_ports':[22,8080]}"
	grep -qx audit /sys/module/vsock_cidreg/parameters/mode
	cidctl config | grep -qE '^protected-ports +22,8080$'
	rc=0; cidctl config colour blue 2>"$tmp/e" || rc=$?
	[ "$rc" = 2 ]; grep -q "unknown key 'colour'" "$tmp/e"
	rc=0; cidctl config mode sometimes 2>"$tmp/e" || rc=$?
	[ "$rc" = 2 ]
	rc=0; cidctl config cid-min 500 cid-max 400 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q 'Invalid argument' "$tmp/e"
	reset
}

t_trust() {
	reset
	ip netns add cidctl-a
	cidctl trust --netns cidctl-a
	cidctl untrust --netns cidctl-a
	rc=0; cidctl untrust --netns 1 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q 'Invalid argument' "$tmp/e"
	rc=0; cidctl trust --netns nosuchns 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q 'cannot open netns /run/netns/nosuchns' "$tmp/e"
}

t_monitor() {
	reset
	ip netns add cidctl-a
	gs=$repo/build/selftests/vsock-guestsim
	cidctl -j monitor >"$tmp/ev" & m=$!
	sleep 2
	cidctl reserve 3333 --label m >/dev/null
	cidctl transfer 3333 --netns cidctl-a
	cidctl release 3333
	cidctl reserve 3334 -- true
	# A device takes a reserved CID (attached, detached) and an
	# unreserved one (adopted, attached; released when it closes).
	cidctl reserve 3335 >/dev/null
	"$gs" -c 3335 listen 1 & g=$!
	sleep 2; kill $g; wait $g 2>/dev/null || true
	"$gs" -c 3336 listen 1 & g=$!
	sleep 2
	# A foreign netns connecting to it is denied.
	ip netns exec cidctl-a socat -u OPEN:/dev/null VSOCK-CONNECT:3336:1 2>/dev/null || true
	kill $g; wait $g 2>/dev/null || true
	# The end of a netns ends its reservations.
	cidctl reserve 3337 --netns cidctl-a >/dev/null
	ip netns del cidctl-a
	for i in $(seq 60); do
		grep -q '"cid":3337,.*"reason":"netns-exit"' "$tmp/ev" && break
		sleep 1
	done
	kill $m; wait $m 2>/dev/null || true
	python3 - "$tmp/ev" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
got = [(e['event'], e['cid'], e.get('reason')) for e in ev]
want = [('reserved', 3333, None), ('transferred', 3333, None),
        ('released', 3333, 'released'), ('reserved', 3334, None),
        ('released', 3334, 'lease-closed'), ('reserved', 3335, None),
        ('attached', 3335, None), ('detached', 3335, None),
        ('adopted', 3336, None), ('attached', 3336, None),
        ('denied', 3336, None), ('released', 3336, 'device-closed'),
        ('reserved', 3337, None), ('released', 3337, 'netns-exit')]
assert got == want, got
assert ev[0]['label'] == 'm' and ev[0]['kind'] == 'persistent'
assert ev[10]['op'] == 'connect' and not ev[10]['audit']
EOF
}

t_unprivileged() {
	reset
	nobody="setpriv --reuid 65534 --regid 65534 --clear-groups"
	rc=0; $nobody "$cidctl" config mode off 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q 'Operation not permitted; this needs CAP_NET_ADMIN' "$tmp/e"
	rc=0; $nobody "$cidctl" reserve 4000 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q 'Permission denied; run as root' "$tmp/e"
	rc=0; $nobody "$cidctl" monitor 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]
	$nobody "$cidctl" -j config | json "j['mode']=='enforce'"
}

t_valgrind() {
	reset
	vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
	$vg "$cidctl" reserve 4100 --label v >/dev/null
	$vg "$cidctl" -j show 4100 >/dev/null
	$vg "$cidctl" -j list >/dev/null
	$vg "$cidctl" stats >/dev/null
	$vg "$cidctl" -j config >/dev/null
	$vg "$cidctl" reserve 4101 -- true
	$vg "$cidctl" release 4100
	rc=0; $vg "$cidctl" show 4100 2>/dev/null || rc=$?
	[ "$rc" = 1 ]
	$vg "$cidctl" status >/dev/null
}

modprobe vhost_vsock
echo "TAP version 13"
echo "1..12"
tap status_reports_the_loaded_module t_status_loaded
tap status_without_the_module_says_how_to_load_it t_status_unloaded
tap reserve_and_show_json_match_the_registry t_reserve_show_json
tap reserve_any_in_a_range t_reserve_range
tap netns_list_transfer_and_release t_netns_list_transfer_release
tap reserve_with_a_command_holds_the_lease_while_it_runs t_reserve_command_holds_lease
tap qemu_started_under_a_lease_gets_its_cid t_qemu_under_a_lease
tap stats_and_config t_stats_config
tap trust_and_untrust t_trust
tap monitor_sees_each_event_in_order t_monitor
tap unprivileged_user_is_refused_changes t_unprivileged
tap valgrind_finds_no_error_and_no_leak t_valgrind
reset >/dev/null 2>&1
[ "$fails" -eq 0 ]
