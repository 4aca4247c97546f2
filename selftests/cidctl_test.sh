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

d=$tmp
# shellcheck source=lib/tap.sh
. "$repo/selftests/lib/tap.sh"

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
	[ "$rc" = 3 ]; grep -qx 'cidctl: open: the vsock_cidreg module is not loaded (ENODEV): load it: modprobe vsock_cidreg' "$tmp/e"
	# A usage error is one whether the module is there or not.
	rc=0; modprobe -r vsock_cidreg; cidctl config mode loud 2>"$tmp/e" || rc=$?
	modprobe vsock_cidreg
	[ "$rc" = 2 ]; grep -qx "cidctl: config: bad value 'loud' for mode (off|audit|enforce); see cidctl config help" "$tmp/e"
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
	c0=$(cidctl -j stats | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["config_changes"])')
	cidctl config mode audit strict yes protected-ports 22,8080 quota 9
	# Every figure: one more change of the settings.
	cidctl -j stats | json "int(j['config_changes'])==$c0+1 and 'events_dropped' in j"
	cidctl stats | grep -qE '^events dropped: [0-9]+$'
	cidctl -j config | json "j=={'mode':'audit','strict':True,'cid_min':3,'cid_max':4294967294,'quota':9,'protected_ports':[22,8080]}"
	grep -qx audit /sys/module/vsock_cidreg/parameters/mode
	cidctl config | grep -qE '^protected-ports +22,8080$'
	rc=0; cidctl config colour blue 2>"$tmp/e" || rc=$?
	[ "$rc" = 2 ]; grep -q "unknown key 'colour'" "$tmp/e"
	rc=0; cidctl config mode sometimes 2>"$tmp/e" || rc=$?
	[ "$rc" = 2 ]
	# The kernel's own words (its extended ACK), the errno, a hint.
	rc=0; cidctl config cid-min 500 cid-max 400 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -qx 'cidctl: config: cid-min is above cid-max (EINVAL): see the ranges: cidctl config help' "$tmp/e"
	reset
}

t_trust() {
	reset
	ip netns add cidctl-a
	cidctl trust --netns cidctl-a
	cidctl untrust --netns cidctl-a
	rc=0; cidctl untrust --netns 1 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -qx 'cidctl: untrust: the initial netns is always trusted (EINVAL): the initial netns stays trusted' "$tmp/e"
	rc=0; cidctl trust --netns nosuchns 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q 'cannot open netns /run/netns/nosuchns' "$tmp/e"
}

# A node agent in its own pod netns: trusts it (CAP_SYS_ADMIN too), and
# finds its reservations again by label prefix and by holder.
t_agent_in_a_pod() {
	reset
	ip netns add cidctl-a
	ino=$(stat -Lc %i /run/netns/cidctl-a)
	cidctl -j monitor >"$tmp/ev" & m=$!
	sleep 1
	rc=0
	ip netns exec cidctl-a setpriv --inh-caps -sys_admin --bounding-set -sys_admin \
		"$cidctl" trust --netns self 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]
	grep -qx 'cidctl: trust: from an untrusted netns, changes need CAP_SYS_ADMIN (EPERM): needs CAP_NET_ADMIN, and CAP_SYS_ADMIN too from an untrusted netns' "$tmp/e"
	ip netns exec cidctl-a "$cidctl" trust --netns self
	for _ in $(seq 50); do grep -q '"trusted"' "$tmp/ev" && break; sleep 0.2; done
	kill $m; wait $m || true
	python3 - "$tmp/ev" "$ino" <<-'EOF'
	import json, sys
	ev = [json.loads(l) for l in open(sys.argv[1])]
	assert [e['netns'] for e in ev if e['event'] == 'trusted'] == [int(sys.argv[2])], ev
	EOF
	# Its reservations for pods, found again by label.
	ip netns exec cidctl-a "$cidctl" reserve 4500 --netns 1 --label kubevirt/ns1/vm1 >/dev/null
	cidctl reserve 4501 --label kubevirt/ns1/vm2 >/dev/null
	cidctl reserve 4502 --label other/x >/dev/null
	ip netns exec cidctl-a "$cidctl" -j list --label-prefix kubevirt/ |
		json "[e['cid'] for e in j]==[4500, 4501] and all(e['label'].startswith('kubevirt/') for e in j)"
	cidctl list --label-prefix nothing/ >"$tmp/l"
	[ "$(wc -l <"$tmp/l")" = 1 ]; grep -q '^CID' "$tmp/l"
	[ "$(cidctl -j list --label-prefix nothing/)" = "[]" ]
	# And by the process whose device holds the CID.
	gs=$repo/build/selftests/vsock-guestsim
	"$gs" -c 4502 listen 1 & g=$!
	for _ in $(seq 50); do cidctl -j show 4502 | json "j['attached']" && break; sleep 0.2; done
	cidctl -j list --holder $g | json "[e['cid'] for e in j]==[4502]"
	kill $g; wait $g 2>/dev/null || true
	rc=0; cidctl list --holder 0 2>"$tmp/e" || rc=$?
	[ "$rc" = 2 ]; grep -qx "cidctl: list: bad --holder '0': a process ID" "$tmp/e"
	# A process that has exited has no netns to trust.
	sleep 0.1 & p=$!; wait $p
	rc=0; cidctl trust --netns $p 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q "cannot open netns /proc/$p/ns/net: the process has exited" "$tmp/e"
	cidctl untrust --netns cidctl-a
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
	[ "$rc" = 1 ]; grep -q 'Operation not permitted (EPERM): this needs CAP_NET_ADMIN' "$tmp/e"
	rc=0; $nobody "$cidctl" reserve 4000 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q 'Permission denied (EACCES): run as root' "$tmp/e"
	# Nobody in a pod hears its own netns's events, and no other's.
	ip netns add cidctl-pod
	ip netns exec cidctl-pod $nobody "$cidctl" -j monitor >"$tmp/ev" & m=$!
	# It has joined once it hears a probe of its netns (a fixed sleep
	# lost the first event on a loaded host).
	for _ in $(seq 100); do
		"$cidctl" reserve 4000 --netns cidctl-pod >/dev/null
		"$cidctl" release 4000
		grep -q '"cid":4000' "$tmp/ev" && break
		sleep 0.2
	done
	"$cidctl" reserve 4001 --netns cidctl-pod --label mine >/dev/null
	"$cidctl" reserve 4002 --label theirs >/dev/null
	"$cidctl" release 4001
	for _ in $(seq 50); do [ "$(grep -c '"cid":4001' "$tmp/ev")" -ge 2 ] && break; sleep 0.2; done
	sleep 1
	kill $m; wait $m || true
	ip netns del cidctl-pod
	"$cidctl" release 4002
	python3 - "$tmp/ev" <<-'EOF'
	import json, sys
	ev = [json.loads(l) for l in open(sys.argv[1])]
	ev = [e for e in ev if e['cid'] != 4000]
	assert [(e['event'], e['cid']) for e in ev] == [('reserved', 4001), ('released', 4001)], ev
	assert ev[0]['label'] == 'mine'
	EOF
	$nobody "$cidctl" -j config | json "j['mode']=='enforce'"
}

# A node agent in a pod of its own (root: CAP_NET_ADMIN in the initial
# user namespace) hears every netns's events, with their pids: the module
# sends a full view outside the initial netns only where someone with
# CAP_NET_ADMIN there asked it something (netns.c), and cidreg_monitor()
# asks before it joins (on 6.1 nothing else would tell the module).
t_monitor_agent_in_a_pod() {
	reset
	ip netns add cidctl-agent
	ip netns exec cidctl-agent "$cidctl" -j monitor >"$tmp/ev" & m=$!
	for _ in $(seq 100); do
		"$cidctl" reserve 4100 >/dev/null
		"$cidctl" release 4100
		grep -q '"cid":4100' "$tmp/ev" && break
		sleep 0.2
	done
	kill $m; wait $m || true
	ip netns del cidctl-agent
	python3 - "$tmp/ev" "$(stat -L -c %i /proc/self/ns/net)" <<-'EOF'
	import json, sys
	ev = [json.loads(l) for l in open(sys.argv[1])]
	ev = [e for e in ev if e.get('cid') == 4100]
	assert ev, 'the agent heard nothing of the host netns'
	assert all(e['netns'] == int(sys.argv[2]) and e['pid'] > 0 for e in ev), ev
	EOF
}

# apply: a settings file, all lines checked before any change; the
# kernel refuses what cidctl cannot know (cid-min above cid-max) whole.
t_apply() {
	reset
	ip netns add cidctl-a
	cat >"$tmp/conf" <<-'EOF'
		# a node's settings
		mode audit
		quota 12   # per netns
		protected-ports 22,5000
		trust cidctl-a
	EOF
	cidctl apply "$tmp/conf"
	cidctl -j config | json "j['mode']=='audit' and j['quota']==12 and j['protected_ports']==[22,5000] and not j['strict']"
	# The netns is trusted: untrusting it works, a second untrust has nothing to do.
	cidctl untrust --netns cidctl-a
	# A bad line: reported with its place, nothing changed.
	printf 'mode enforce\nstrict perhaps\n' >"$tmp/bad"
	rc=0; cidctl apply "$tmp/bad" 2>"$tmp/e" || rc=$?
	[ "$rc" = 2 ]
	grep -qx "cidctl: $tmp/bad:2: bad value 'perhaps' for strict (yes|no); see cidctl config help; nothing was changed" "$tmp/e"
	cidctl -j config | json "j['mode']=='audit'"
	# What the kernel refuses: the whole change, with its words.
	printf 'mode enforce\ncid-min 500\ncid-max 400\n' >"$tmp/bad"
	rc=0; cidctl apply "$tmp/bad" 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -qx 'cidctl: apply: cid-min is above cid-max (EINVAL): see the ranges: cidctl config help' "$tmp/e"
	cidctl -j config | json "j['mode']=='audit' and j['cid_min']==3"
	rc=0; printf 'trust nosuchns\n' | cidctl apply - 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q 'cannot open netns /run/netns/nosuchns' "$tmp/e"
	rc=0; cidctl apply "$tmp/none" 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -qx "cidctl: apply: cannot open $tmp/none: No such file or directory" "$tmp/e"
	ip netns del cidctl-a
	reset
}

# stats --format=prometheus: what promtool reads, with the figures of the
# registry, per netns to root and the caller's own to nobody.
t_prometheus() {
	reset
	ip netns add cidctl-a
	cidctl reserve 4200 --netns cidctl-a >/dev/null
	cidctl reserve 4201 --netns cidctl-a >/dev/null
	cidctl reserve 4202 >/dev/null
	cidctl stats --format=prometheus >"$tmp/m"
	promtool check metrics <"$tmp/m"
	a=$(stat -L -c %i /run/netns/cidctl-a) init=$(stat -L -c %i /proc/1/ns/net)
	grep -qx 'vsock_cidreg_entries 3' "$tmp/m"
	grep -qx "vsock_cidreg_netns_entries{netns=\"$a\"} 2" "$tmp/m"
	grep -qx "vsock_cidreg_netns_entries{netns=\"$init\"} 1" "$tmp/m"
	grep -qx 'vsock_cidreg_mode{mode="enforce"} 1' "$tmp/m"
	grep -qx 'vsock_cidreg_events_dropped_total 0' "$tmp/m"
	[ "$(grep -c '^vsock_cidreg_checks_total{op="[a-z-]*",verdict="\(allowed\|denied\|audited\)"} [0-9]*$' "$tmp/m")" = 15 ]
	ip netns exec cidctl-a setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$cidctl" stats --format=prometheus >"$tmp/m"
	promtool check metrics <"$tmp/m"
	[ "$(grep -c '^vsock_cidreg_netns_entries{' "$tmp/m")" = 1 ]
	grep -qx "vsock_cidreg_netns_entries{netns=\"$a\"} 2" "$tmp/m"
	rc=0; cidctl -j stats --format=prometheus 2>"$tmp/e" || rc=$?
	[ "$rc" = 2 ]
	ip netns del cidctl-a
	reset
}

# Two valgrind runs (each costs tens of seconds under TCG): a batch
# through every printer and command that succeeds, which ends at a CID
# not reserved (exit 1), and a file apply refuses (exit 2).
t_valgrind() {
	reset
	vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
	printf 'mode enforce\ntrust /proc/1/ns/net\n' >"$tmp/conf"
	cat >"$tmp/b" <<-EOF
		reserve 4100 --label "a b"
		-j show 4100
		show 4100
		-j list
		list
		stats
		-j stats
		stats --format=prometheus
		apply $tmp/conf
		-j config
		config
		reserve 4101 -- true
		status
		-jp status
		release 4100
		show 4100
		list
	EOF
	rc=0; $vg "$cidctl" -b "$tmp/b" >"$tmp/o" 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]
	grep -qx 4100 "$tmp/o"
	grep -q "^cidctl: $tmp/b:16: show 4100: " "$tmp/e"
	[ -z "$(cidctl list -H)" ]
	printf 'trust /x\nmode\n' >"$tmp/conf"
	rc=0; $vg "$cidctl" apply "$tmp/conf" 2>/dev/null || rc=$?
	[ "$rc" = 2 ]
}

# A listener that falls behind loses events (the kernel's ENOBUFS): the
# monitor says so, gives the registry as it is now and listens on. It
# once exited on the first loss.
t_monitor_resync() {
	reset
	cidctl config quota 0
	cidctl -j monitor >"$tmp/ev" 2>"$tmp/everr" & m=$!
	sleep 2
	kill -STOP $m
	# More events than a socket's default buffer holds.
	seq 5000 5999 | sed 's/.*/reserve & --persistent/' >"$tmp/b"
	cidctl -b "$tmp/b" >/dev/null
	kill -CONT $m
	for i in $(seq 60); do
		grep -q '"event":"synced"' "$tmp/ev" && break
		sleep 1
	done
	cidctl reserve 6000 --persistent >/dev/null
	for i in $(seq 30); do
		grep -q '"cid":6000' "$tmp/ev" && break
		sleep 1
	done
	cat "$tmp/everr"
	kill -0 $m
	kill $m; wait $m 2>/dev/null || true
	python3 - "$tmp/ev" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
kinds = [e['event'] for e in ev]
lost, synced = kinds.index('lost'), kinds.index('synced')
present = {e['cid'] for e in ev[lost:synced] if e['event'] == 'present'}
# Every entry then, each once; the one made after, as an event.
assert present == set(range(5000, 6000)), sorted(set(range(5000, 6000)) - present)[:5]
assert synced - lost - 1 == 1000, synced - lost
assert any(e.get('cid') == 6000 and e['event'] == 'reserved' for e in ev[synced:])
EOF
	reset
}

# Status reads sysfs whole: 32 protected ports (a 350-byte line) once
# made it crash.
t_status_long_settings() {
	reset
	ports=$(seq -s, 20000 20031)
	cidctl config protected-ports "$ports"
	cidctl status >"$tmp/s"
	grep -q " protected_ports=$ports\( \|$\)" "$tmp/s"
	cidctl -j status | json "j['parameters']['protected_ports']=='$ports' and j['installed'] and j['loaded']"
	reset
}

# A command name with a newline, an escape sequence, UTF-8 and a byte
# that is not UTF-8: one row each, nothing raw on the terminal, exact
# JSON.
t_output_escapes_names() {
	reset
	weird=$(printf 'a\nb\033[31mc')
	bad=$(printf 'x\377y')
	cp "$cidctl" "$tmp/$weird"
	cp "$cidctl" "$tmp/ké"
	cp "$cidctl" "$tmp/$bad"
	cidctl -j monitor >"$tmp/ev" & m=$!
	cidctl monitor >"$tmp/evt" & mt=$!
	sleep 2
	[ "$("$tmp/$weird" reserve 4500 --label 'pod a "x"')" = 4500 ]
	[ "$("$tmp/ké" reserve 4501)" = 4501 ]
	[ "$("$tmp/$bad" reserve 4502)" = 4502 ]
	sleep 1; kill $m $mt; wait $m $mt 2>/dev/null || true
	cidctl list >"$tmp/l"
	cat "$tmp/l"
	[ "$(wc -l <"$tmp/l")" = 4 ]
	! grep -q "$(printf '\033')" "$tmp/l"
	grep -qF 'a\x0ab\x1b[31mc' "$tmp/l"
	grep -qF 'ké' "$tmp/l"
	grep -qF 'x\xffy' "$tmp/l"
	cidctl -j show 4500 | json "j['comm']=='a\\nb\\x1b[31mc' and j['label']=='pod a \"x\"'"
	# UTF-8 as it is, not byte by byte.
	cidctl -j show 4501 | grep -qF '"comm":"ké"'
	cidctl -j show 4502 | json "j['comm']=='x\\\\xffy'"
	# ctime_ns: a string, exact.
	cidctl -j show 4501 | json "isinstance(j['ctime_ns'], str) and int(j['ctime_ns']) > 10**18"
	# Monitor: one line per event; its words split back as the shell's do.
	! grep -q "$(printf '\033')" "$tmp/evt"
	python3 - "$tmp/evt" <<'EOF'
import shlex, sys
lines = open(sys.argv[1], encoding='utf-8', errors='surrogateescape').read().splitlines()
assert len(lines) == 3, lines
w = shlex.split(lines[0])
kv = dict(zip(w[1::2], w[2::2]))
assert w[0] == 'reserved' and kv['cid'] == '4500', w
assert kv['label'] == 'pod a "x"', kv
assert kv['comm'] == 'a\\x0ab\\x1b[31mc', kv
EOF
	python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$tmp/ev"
	reset
}

t_monitor_timestamps() {
	reset
	cidctl -t monitor >"$tmp/evt" & m=$!
	cidctl -jt monitor >"$tmp/ev" & mj=$!
	sleep 2
	cidctl reserve 4600 >/dev/null
	sleep 1; kill $m $mj; wait $m $mj 2>/dev/null || true
	cat "$tmp/evt"
	grep -Eq '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z reserved cid 4600 ' "$tmp/evt"
	json "j['time'].endswith('Z') and j['cid']==4600" <"$tmp/ev"
	reset
}

t_list_header_pretty_help_version() {
	reset
	[ "$(cidctl list | wc -l)" = 1 ]
	cidctl list | grep -q '^CID  *KIND  *NETNS'
	[ -z "$(cidctl -H list)" ]
	cidctl -j list | json "j==[]"
	cidctl reserve 4700 --label=x >/dev/null
	cidctl -jp list >"$tmp/p"
	[ "$(wc -l <"$tmp/p")" -gt 5 ]
	json "j[0]['label']=='x'" <"$tmp/p"
	cidctl -H show 4700 | grep -q '^4700 '
	cidctl reserve help | grep -q '^usage: cidctl \[OPTIONS\] reserve '
	cidctl reserve --help | grep -q '^usage: cidctl \[OPTIONS\] reserve '
	cidctl list -h | grep -q '^usage: cidctl \[OPTIONS\] list '
	rc=0; cidctl list --version 2>"$tmp/e" || rc=$?
	[ "$rc" = 2 ]; grep -qx 'cidctl: -V, --version print the version alone: give no command' "$tmp/e"
	cidctl help config | grep -q 'protected-ports'
	[ "$(cidctl -V)" = "cidctl $(cat "$repo/VERSION")" ]
	cidctl -j -V | json "j['version']=='$(cat "$repo/VERSION")'"
	[ "$(cidctl sh 4700 -H | awk '{ print $1 }')" = 4700 ]
	reset
}

t_batch() {
	reset
	cat >"$tmp/b" <<'EOF'
# two reservations, then a look at them
reserve 4800 --label "pod a"
reserve 4801 --persistent

show 4800
list
EOF
	cidctl -H -b "$tmp/b" >"$tmp/o"
	[ "$(head -n2 "$tmp/o" | paste -sd,)" = 4800,4801 ]
	cidctl -j list | json "[e['cid'] for e in j]==[4800,4801] and j[0]['label']=='pod a'"
	# The first failure ends the batch, naming its line.
	rc=0; printf 'release 4800\nrelease 4800\nrelease 4801\n' | cidctl -b - 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]
	grep -qx 'cidctl: stdin:2: release 4800: the CID is not reserved (ENOENT): see the reserved CIDs: cidctl list' "$tmp/e"
	cidctl -j list | json "[e['cid'] for e in j]==[4801]"
	rc=0; printf 'frob\n' | cidctl -b - 2>"$tmp/e" || rc=$?
	[ "$rc" = 2 ]
	grep -qx "cidctl: stdin:1: unknown command 'frob' (try: cidctl help)" "$tmp/e"
	reset
}

# A bad argument gets its own message, module or not: what a command
# names (a netns, a file, a label) is checked before the module is asked.
# -n runs cidctl in a netns, as ip -n does.
t_args_before_the_module_and_in_netns() {
	reset
	ip netns add cidctl-a
	modprobe -r vsock_cidreg
	rc=0; cidctl reserve 5 --netns /nonexistent 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q '^cidctl: reserve: cannot open netns /nonexistent: ' "$tmp/e"
	rc=0; cidctl apply /nonexistent 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q '^cidctl: apply: cannot open /nonexistent: ' "$tmp/e"
	printf 'quota lots\n' >"$tmp/conf"
	rc=0; cidctl apply "$tmp/conf" 2>"$tmp/e" || rc=$?
	[ "$rc" = 2 ]; grep -q "bad value 'lots' for quota" "$tmp/e"
	rc=0; cidctl reserve --label "$(printf 'a\tb')" 2>"$tmp/e" || rc=$?
	[ "$rc" = 2 ]; grep -qx 'cidctl: reserve: --label takes at most 63 printable ASCII characters' "$tmp/e"
	rc=0; cidctl list 2>"$tmp/e" || rc=$?
	[ "$rc" = 3 ]
	modprobe vsock_cidreg
	[ "$(cidctl -n cidctl-a reserve 5000)" = 5000 ]
	cidctl -j show 5000 | json "j['netns']==$(stat -Lc %i /run/netns/cidctl-a) and not j['own']"
	cidctl -n cidctl-a -j show 5000 | json "j['own']"
	rc=0; cidctl -n /nonexistent list 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q '^cidctl: -n: cannot open netns /nonexistent: ' "$tmp/e"
	rc=0; setpriv --reuid 65534 --regid 65534 --clear-groups "$cidctl" -n /run/netns/cidctl-a list 2>"$tmp/e" || rc=$?
	[ "$rc" = 1 ]; grep -q 'needs CAP_SYS_ADMIN' "$tmp/e"
	reset
}

# A config-changed event carries every setting after the change, in JSON
# and in text, as config shows them (libcidreg's table of settings).
t_monitor_config_changed() {
	reset
	cidctl -j monitor >"$tmp/ev" & m=$!
	cidctl monitor >"$tmp/evt" & t=$!
	sleep 2
	cidctl config quota 99 protected-ports 22,80
	for i in $(seq 30); do
		grep -q config-changed "$tmp/ev" && grep -q config-changed "$tmp/evt" && break
		sleep 1
	done
	kill $m $t; wait $m $t 2>/dev/null || true
	cat "$tmp/evt"
	grep config-changed "$tmp/ev" | head -n1 | json "j['mode']=='enforce' and j['strict']==False and j['cid_min']==3 and j['cid_max']==4294967294 and j['quota']==99 and j['protected_ports']==[22,80]"
	grep -q '^config-changed mode enforce strict no cid-min 3 cid-max 4294967294 quota 99 protected-ports 22,80 netns ' "$tmp/evt"
	reset
}

# An agent's one poll loop (Documentation/examples/agent-events.c): its
# requests (read from stdin) and the module's events, from one poll(),
# on one libcidreg handle.
t_agent_events_poll_loop() {
	reset
	ip netns add cidctl-a
	printf '%s\n' '/run/netns/cidctl-a 4900 pod/a' '/run/netns/cidctl-a 4900 pod/b' \
		'/proc/self/ns/net 0 pod/c' | "$repo/build/selftests/agent-events" >"$tmp/o" 2>&1
	cat "$tmp/o"
	grep -qx 'reserved 4900' "$tmp/o"
	grep -q '^error: the CID is already reserved' "$tmp/o"
	grep -qx 'event reserved cid 4900' "$tmp/o"
	[ "$(grep -c '^event reserved cid ' "$tmp/o")" = 2 ]
	cidctl -j list | json "sorted(e['label'] for e in j)==['pod/a','pod/c']"
	reset
}

# A binary built against libcidreg at LIBCIDREG_0.2 (selftests/abi/),
# its structs without their size, against today's library and the module.
t_old_binary() {
	reset
	LD_LIBRARY_PATH=$repo/build/tools "$repo/build/selftests/client-0.2" module
	cidctl -j list | json "j==[]"
	reset
}

modprobe vhost_vsock
echo "TAP version 13"
echo "1..26"
tap_fn status_reports_the_loaded_module t_status_loaded
tap_fn status_without_the_module_says_how_to_load_it t_status_unloaded
tap_fn reserve_and_show_json_match_the_registry t_reserve_show_json
tap_fn reserve_any_in_a_range t_reserve_range
tap_fn netns_list_transfer_and_release t_netns_list_transfer_release
tap_fn reserve_with_a_command_holds_the_lease_while_it_runs t_reserve_command_holds_lease
tap_fn qemu_started_under_a_lease_gets_its_cid t_qemu_under_a_lease
tap_fn stats_and_config t_stats_config
tap_fn trust_and_untrust t_trust
tap_fn agent_in_a_pod_trusts_itself_and_finds_its_cids t_agent_in_a_pod
tap_fn monitor_sees_each_event_in_order t_monitor
tap_fn monitor_resynchronises_after_lost_events t_monitor_resync
tap_fn an_agent_in_a_pod_hears_every_netns t_monitor_agent_in_a_pod
tap_fn unprivileged_user_is_refused_changes t_unprivileged
tap_fn apply_checks_every_line_then_changes_all t_apply
tap_fn stats_in_prometheus_format t_prometheus
tap_fn valgrind_finds_no_error_and_no_leak t_valgrind
tap_fn status_reads_settings_of_any_length t_status_long_settings
tap_fn output_escapes_what_processes_name_themselves t_output_escapes_names
tap_fn monitor_prints_timestamps t_monitor_timestamps
tap_fn list_header_pretty_json_help_and_version t_list_header_pretty_help_version
tap_fn batch_runs_lines_and_stops_at_the_first_failure t_batch
tap_fn arguments_are_checked_before_the_module_and_n_runs_in_a_netns t_args_before_the_module_and_in_netns
tap_fn a_config_changed_event_carries_every_setting t_monitor_config_changed
tap_fn an_agent_runs_requests_and_events_from_one_poll_loop t_agent_events_poll_loop
tap_fn a_binary_built_against_libcidreg_0_2_still_runs t_old_binary
reset >/dev/null 2>&1
[ "$fails" -eq 0 ]
