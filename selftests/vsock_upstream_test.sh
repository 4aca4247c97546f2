#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Linux 7.x: the kernel's own vsock test suite, vsock_test
# (tools/testing/vsock of the newest linux-source-7.x, which vmtest.sh
# builds into upstream/ beside this script), client and server over
# loopback (CID 1), first without vsock_cidreg, then with it loaded in
# enforce mode. vsock_test stops at its first failure, so a run passes
# when it exits 0 having reported every test of its --list.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vt=$here/upstream/vsock_test
n=0 failed=0
echo "TAP version 13"
echo "1..4"
check() { # DESCRIPTION RESULT(0 or not)
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		failed=$((failed + 1))
	fi
}

run() { # LABEL: a client and a server; prints "EXIT OKS"
	local port=$((12000 + RANDOM % 1000)) rc
	"$vt" --mode=server --control-port=$port --peer-cid=1 \
		>"/tmp/vsock_test-server-$1.log" 2>&1 &
	local server=$!
	sleep 1
	timeout 600 "$vt" --mode=client --control-host=127.0.0.1 \
		--control-port=$port --peer-cid=1 >"/tmp/vsock_test-client-$1.log" 2>&1
	rc=$?
	wait "$server"
	echo "$rc $(grep -cE '^[0-9]+ - .*ok$' "/tmp/vsock_test-client-$1.log")"
}

if [ ! -x "$vt" ]; then
	echo "# $vt is missing: run this through selftests/vm/vmtest.sh, which builds it"
	check "vsock_test is there" 1
	echo "# $n tests, $failed failed"
	exit 1
fi
modprobe vsock_loopback && ip link set lo up || exit 1
modprobe -r vsock_cidreg 2>/dev/null
total=$("$vt" --list 2>/dev/null | awk -F'\t' '$1 ~ /^[0-9]+$/' | wc -l)
echo "# vsock_test lists $total tests"

res=$(run without)
read -r rc oks <<<"$res"
echo "# without the module: exit $rc, $oks of $total ok"
[ "$rc" -eq 0 ] && [ "$oks" -eq "$total" ] && [ "$total" -gt 0 ]
check "vsock_test passes without vsock_cidreg ($oks of $total)" $?
[ "$rc" -eq 0 ] || tail -n 5 /tmp/vsock_test-client-without.log | sed 's/^/# /'

modprobe vsock_cidreg
mode=$(cat /sys/module/vsock_cidreg/parameters/mode 2>/dev/null)
[ "$mode" = enforce ]
check "vsock_cidreg is loaded, in enforce mode ($mode)" $?
res=$(run with)
read -r rc oks <<<"$res"
echo "# with the module: exit $rc, $oks of $total ok"
[ "$rc" -eq 0 ] && [ "$oks" -eq "$total" ]
check "vsock_test passes with vsock_cidreg loaded ($oks of $total)" $?
[ "$rc" -eq 0 ] || tail -n 5 /tmp/vsock_test-client-with.log | sed 's/^/# /'
modprobe -r vsock_cidreg
check "vsock_cidreg unloads afterwards" $?
echo "# $n tests, $failed failed"
[ "$failed" -eq 0 ]
