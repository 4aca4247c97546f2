#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The family as the kernel's own netlink tool sees it: tools/net/ynl's
# cli.py (of linux-source-7.x, copied beside this script by vmtest.sh as
# ynl/) drives every operation and the "events" group from
# Documentation/netlink/specs/vsock_cidreg.yaml alone, against the real
# module, in the VM. Prints TAP. Needs root and python3 with yaml and
# jsonschema.
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(cd "$here/../.." && pwd)
spec=$repo/Documentation/netlink/specs/vsock_cidreg.yaml
ynl=$here/ynl
export PATH=$repo/build/tools:$PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; ip netns del ynl-a 2>/dev/null' EXIT

d=$tmp
# shellcheck source=lib/tap.sh
. "$repo/selftests/lib/tap.sh"

cli() {
	/usr/bin/python3 "$ynl/pyynl/cli.py" --spec "$spec" \
		--schema "$ynl/genetlink-legacy.yaml" --output-json "$@"
}

reset() {
	cidctl release --all >/dev/null 2>&1 || true
	cidctl config mode enforce strict no protected-ports none quota 256 \
		cid-min 3 cid-max 4294967294
}

t_get_config() {
	reset
	cli --do get-config | json "j=={'mode':'enforce','strict':0,'cid-min':3,'cid-max':4294967294,'quota':256,'protected-ports':[]}"
}

t_set_config() {
	reset
	# protected-ports: binary, an array of u32 (22 and 8080, little endian).
	cli --do set-config --json '{"mode":"audit","strict":1,"quota":9,"protected-ports":"16000000901f0000"}'
	cli --do get-config | json "j['mode']=='audit' and j['strict']==1 and j['quota']==9 and j['protected-ports']==[22,8080]"
	grep -qx audit /sys/module/vsock_cidreg/parameters/mode
	grep -qx 22,8080 /sys/module/vsock_cidreg/parameters/protected_ports
	reset
}

t_set_config_refusal_carries_the_reason() {
	reset
	! cli --do set-config --json '{"cid-min":20,"cid-max":10}' 2>"$tmp/e" >&2
	cat "$tmp/e"
	grep -q 'cid-min is above cid-max' "$tmp/e"
	! cli --do set-config --json '{"mode":7}' 2>"$tmp/e" >&2
	grep -qi 'mode\|range\|invalid' "$tmp/e"
	cli --do get-config | json "j['cid-min']==3 and j['mode']=='enforce'"
}

t_get_one_and_dump() {
	reset
	[ "$(cidctl reserve 4100 --persistent --label ynl/one)" = 4100 ]
	cli --do get --json '{"cid":4100}' | json "j['cid']==4100 and j['kind']=='persistent' and j['label']=='ynl/one' and 'own' in j['info'] and j['netns-ino']==$(stat -L -c %i /proc/self/ns/net)"
	cli --dump get | json "[e['cid'] for e in j]==[4100]"
	! cli --do get --json '{"cid":4101}' 2>"$tmp/e" >&2
	grep -q 'CID not reserved' "$tmp/e"
	reset
}

t_dump_of_one_netns() {
	reset
	ip netns add ynl-a
	[ "$(cidctl reserve 4200 --persistent --netns ynl-a)" = 4200 ]
	[ "$(cidctl reserve 4201 --persistent)" = 4201 ]
	# The fd is cli.py's own: inherited from this shell.
	exec 7</run/netns/ynl-a
	cli --dump get --json '{"netns-fd":7}' | json "[e['cid'] for e in j]==[4200]"
	exec 7<&-
	ip netns del ynl-a
	reset
}

t_get_stats() {
	reset
	[ "$(cidctl reserve 4300 --persistent)" = 4300 ]
	cli --do get-stats | json "j['entries']==1 and sorted(s['op'] for s in j['op-stats'])==sorted(['set-cid','connect','accept','bind-cid','bind-port']) and all('allowed' in s and 'denied' in s and 'audited' in s for s in j['op-stats'])"
	reset
}

t_trust_and_untrust() {
	reset
	ip netns add ynl-a
	exec 7</run/netns/ynl-a
	cli --do trust --json '{"netns-fd":7}'
	cidctl -j status | json "True"
	cli --do untrust --json '{"netns-fd":7}'
	exec 8</proc/self/ns/net
	! cli --do untrust --json '{"netns-fd":8}' 2>"$tmp/e" >&2
	grep -q 'the initial netns is always trusted' "$tmp/e"
	exec 7<&- 8<&-
	ip netns del ynl-a
}

t_events_group() {
	reset
	# Unbuffered: events show as they come. cli.py loads and validates
	# the spec before it joins the group, which takes seconds under TCG
	# (it may join between a reserve and its release): reserve and
	# release until it has seen a reservation and then its release.
	/usr/bin/python3 -u "$ynl/pyynl/cli.py" --spec "$spec" \
		--schema "$ynl/genetlink-legacy.yaml" --output-json \
		--subscribe events --duration 120 >"$tmp/ev" 2>&1 &
	pid=$!
	for i in $(seq 90); do
		if ! grep -q '"reserved"' "$tmp/ev"; then
			cidctl reserve 4400 --persistent --label ynl/ev >/dev/null
			cidctl release 4400
		fi
		awk '/"reserved"/ { r = 1 } r && /"released"/ { f = 1 }
		     END { exit !f }' "$tmp/ev" && break
		sleep 1
	done
	kill "$pid"; wait "$pid" 2>/dev/null || true
	cat "$tmp/ev"
	/usr/bin/python3 - "$tmp/ev" <<'EOF'
import json, sys
text = open(sys.argv[1]).read()
msgs = []
dec = json.JSONDecoder()
i = 0
while i < len(text):
    if text[i] in '{[':
        obj, i = dec.raw_decode(text, i)
        msgs += obj if isinstance(obj, list) else [obj]
    else:
        i += 1
events = [m['msg'] for m in msgs if m.get('name') == 'event']
kinds = [(e['event'], e['cid']) for e in events]
assert ('reserved', 4400) in kinds and ('released', 4400) in kinds, kinds
rel = [e for e in events if e['event'] == 'released'][0]
assert rel['reason'] == 'released' and rel['label'] == 'ynl/ev', rel
EOF
}

modprobe vsock_cidreg
echo "TAP version 13"
echo "1..8"
tap_fn cli_py_reads_the_config t_get_config
tap_fn cli_py_sets_the_config t_set_config
tap_fn cli_py_refusal_carries_the_kernels_reason t_set_config_refusal_carries_the_reason
tap_fn cli_py_gets_an_entry_and_dumps_them t_get_one_and_dump
tap_fn cli_py_dumps_one_netns t_dump_of_one_netns
tap_fn cli_py_reads_the_stats t_get_stats
tap_fn cli_py_trusts_and_untrusts t_trust_and_untrust
tap_fn cli_py_receives_the_events_group t_events_group
[ "$fails" -eq 0 ]
