#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: build everything, check the kernel code (W=1, sparse,
# checkpatch), run the host tests, then the VM suite on the distro kernel
# and on the debug kernel. Ends with "N passed, N failed" over all of it.
#
#   CHECK_KERNELS="distro debug" (default) picks the VM kernels.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
repo=$PWD
kernels=${CHECK_KERNELS:-distro debug}
passed=0 failed=0 t0=$(date +%s)
log=build/check
mkdir -p $log

count() { # NAME COMMAND... : one check, pass or fail
	local name=$1 s=$(date +%s)
	shift
	if "$@" >"$log/$name.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok: $name ($(( $(date +%s) - s ))s)"
	else
		failed=$((failed + 1))
		echo "FAILED: $name; the end of $log/$name.log:"
		tail -n 25 "$log/$name.log"
	fi
}

add_summary() { # the "LABEL: N passed, N failed" line of a suite's output
	local line
	line=$(grep -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed$' "$1" | tail -n1)
	if [ -z "$line" ]; then
		failed=$((failed + 1))
		echo "FAILED: $1 has no result line"
		return
	fi
	read -r _ p _ f _ <<<"$line"
	passed=$((passed + p))
	failed=$((failed + f))
}

# The debug kernel (built once, then cached) takes longest on a fresh
# machine: start it first; its VMs wait for it.
if [[ " $kernels " == *" debug "* ]]; then
	selftests/vm/build-debug-kernel.sh >$log/debug-kernel.log 2>&1 &
fi

count build make all selftests
count kernel-W1-sparse make module-strict
count checkpatch make checkpatch

echo "== host tests"
selftests/run_tests.sh build/selftests $(make -s -C selftests print-host-tests) |
	tee $log/host.tap
awk -v expect="$(make -s -C selftests print-host-tests)" -v label=host \
	-f scripts/tap-summary.awk $log/host.tap | tee $log/host.summary
add_summary $log/host.summary

# The VM suites run at the same time, one VM each (TCG keeps a VM on
# about one core; the debug kernel builds meanwhile if it must): the first
# kernel's suite streams here, the others' logs follow when they end.
suite() { # KERNEL
	local s=$(date +%s) jobs=1
	# The debug suite runs last and alone: two VMs use both cores.
	[ "$1" != debug ] || jobs=2
	selftests/vm/vmtest.sh -k "$1" -j $jobs >"$log/vm-$1.log" 2>&1
	echo "== $1 kernel: $(( $(date +%s) - s ))s" >"$log/vm-$1.time"
}
read -ra ks <<<"$kernels"
pids=()
for k in "${ks[@]:1}"; do
	suite "$k" &
	pids+=($!)
done
if [ ${#ks[@]} -gt 0 ]; then
	echo "== VM suite, ${ks[0]} kernel (${ks[*]:1} in the background)"
	: >"$log/vm-${ks[0]}.log"
	suite "${ks[0]}" &
	first=$!
	tail -n +1 -f "$log/vm-${ks[0]}.log" --pid=$first 2>/dev/null
	wait $first
	add_summary "$log/vm-${ks[0]}.log"
	cat "$log/vm-${ks[0]}.time"
fi
for i in "${!pids[@]}"; do
	k=${ks[$((i + 1))]}
	wait "${pids[$i]}"
	echo "== VM suite, $k kernel"
	cat "$log/vm-$k.log"
	add_summary "$log/vm-$k.log"
	cat "$log/vm-$k.time"
done

echo "make check took $(( $(date +%s) - t0 ))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
