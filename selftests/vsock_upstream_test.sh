#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Linux 7.x: the kernel's own vsock test suite, vsock_test
# (tools/testing/vsock of the newest linux-source-7.x, which vmtest.sh
# builds into upstream/ beside this script), client and server over
# loopback (CID 1), first without vsock_cidreg, then with it loaded in
# enforce mode: the module must change no result. On Debian's 7.2 and 7.3
# every test passes both ways; on the debug kernel, one that is timed
# (Documentation/linux-7.0.md) fails both ways, and its reason is shown.
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

# run LABEL: vsock_test, client and server, going on after a failure
# (vsock_test stops at its first: the rest are picked again). Sets
# passed (how many) and fails (the failed test ids, space-separated).
run() {
	local label=$1 port rc log n last
	local -a left=("${ids[@]}") picks
	passed=0 fails=
	while [ ${#left[@]} -gt 0 ]; do
		port=$((12000 + RANDOM % 1000))
		picks=()
		for n in "${left[@]}"; do picks+=(--pick "$n"); done
		log=/tmp/vsock_test-$label-${left[0]}
		"$vt" --mode=server --control-port=$port --peer-cid=1 "${picks[@]}" \
			>"$log.server" 2>&1 &
		sleep 1
		timeout 600 "$vt" --mode=client --control-host=127.0.0.1 \
			--control-port=$port --peer-cid=1 "${picks[@]}" >"$log.client" 2>&1
		rc=$?
		wait
		passed=$((passed + $(grep -cE '^[0-9]+ - .*ok$' "$log.client")))
		[ "$rc" -ne 0 ] || break
		last=$(grep -oE '^[0-9]+ - ' "$log.client" | tail -n1 | cut -d' ' -f1)
		if [ -z "$last" ] || grep -qE "^$last - .*ok\$" "$log.client"; then
			fails="$fails ?"	# stopped outside a test
			break
		fi
		fails="$fails $last"
		echo "# $label: test $last failed; client and server said:"
		grep -E "^$last - " "$log.client" | sed 's/^/#   client: /'
		tail -n 3 "$log.server" | sed 's/^/#   server: /'
		n=${#left[@]}
		for ((i = 0; i < n; i++)); do
			[ "${left[$i]}" -gt "$last" ] || unset 'left[i]'
		done
		left=("${left[@]}")
	done
	fails=${fails# }
}

if [ ! -x "$vt" ]; then
	echo "# $vt is missing: run this through selftests/vm/vmtest.sh, which builds it"
	check "vsock_test is there" 1
	echo "# $n tests, $failed failed"
	exit 1
fi
modprobe vsock_loopback && ip link set lo up || exit 1
modprobe -r vsock_cidreg 2>/dev/null
# (No process substitution: the VM has no /dev/fd.)
read -ra ids <<<"$("$vt" --list 2>/dev/null | awk -F'\t' '$1 ~ /^[0-9]+$/ { print $1 }' | paste -sd' ')"
total=${#ids[@]}
echo "# vsock_test lists $total tests"

run without
base_passed=$passed base_fails=$fails
echo "# without the module: $passed of $total pass${fails:+; failed: $fails}"
[ "$total" -gt 0 ] && [ $((passed + $(wc -w <<<"$fails"))) -eq "$total" ]
check "vsock_test runs every test without vsock_cidreg ($passed of $total pass${fails:+, $fails fail})" $?

modprobe vsock_cidreg
mode=$(cat /sys/module/vsock_cidreg/parameters/mode 2>/dev/null)
[ "$mode" = enforce ]
check "vsock_cidreg is loaded, in enforce mode ($mode)" $?
run with
echo "# with the module: $passed of $total pass${fails:+; failed: $fails}"
[ "$passed" -eq "$base_passed" ] && [ "$fails" = "$base_fails" ]
check "with vsock_cidreg loaded, the same tests pass ($passed of $total) and fail (${fails:-none})" $?
modprobe -r vsock_cidreg
check "vsock_cidreg unloads afterwards" $?
echo "# $n tests, $failed failed"
[ "$failed" -eq 0 ]
