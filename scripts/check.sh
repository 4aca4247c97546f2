#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: build everything, check the kernel code (W=1, sparse,
# checkpatch), run the host tests, then the VM suite on the distro kernel,
# on the debug kernel, on Debian's 6.12 and on the newest 7.x, 7.3 (make
# check-kernels: on every kernel of selftests/vm/kernels). Prints one "KERNEL: N passed,
# N failed" line per kernel, then "N passed, N failed" over all of it.
#
#   CHECK_KERNELS="distro 6.12 7.3 debug" (default) picks the VM kernels,
#   by their names in selftests/vm/kernels.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
repo=$PWD
kernels=${CHECK_KERNELS:-distro 6.12 7.3 debug}
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

result_re='^[A-Za-z0-9._-]+: [0-9]+ passed, [0-9]+ failed$'
add_summary() { # the "LABEL: N passed, N failed" line of a suite's output
	local line
	line=$(grep -E "$result_re" "$1" | tail -n1)
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

# Which accelerator the VMs get, said once (selftests/vm/lib.sh).
(
	prog=check
	. selftests/vm/lib.sh
	kernel_prepare distro
	accel_choose amd64 "$K_IMAGE"
	echo "check: VMs boot under ${accel^^}: ${accel_verdict#$accel }"
)

count build make all selftests
count kernel-W1-sparse make module-strict
count checkpatch make checkpatch

echo "== host tests"
selftests/run_tests.sh build/selftests $(make -s -C selftests print-host-tests) |
	tee $log/host.tap
awk -v expect="$(make -s -C selftests print-host-tests)" -v label=host \
	-f scripts/tap-summary.awk $log/host.tap | tee $log/host.summary
add_summary $log/host.summary

# The debug kernel's suite runs in the background on two VMs (it waits for
# its kernel's build); the other kernels' suites run one after another
# meanwhile, one VM each, streamed here. TCG keeps a VM on about one core.
suite() { # KERNEL [VMS]
	local s=$(date +%s)
	selftests/vm/vmtest.sh -k "$1" -j "${2:-1}" >"$log/vm-$1.log" 2>&1
	echo "== $1 kernel: $(( $(date +%s) - s ))s" >"$log/vm-$1.time"
}
read -ra ks <<<"$kernels"
bg=
if [[ " $kernels " == *" debug "* ]]; then
	suite debug 2 &
	bg=$!
fi
foreground() { # KERNEL [VMS]
	echo "== VM suite, $1 kernel${bg:+ (debug in the background)}"
	: >"$log/vm-$1.log"
	suite "$@" &
	local pid=$!
	tail -n +1 -f "$log/vm-$1.log" --pid=$pid 2>/dev/null
	wait $pid
	add_summary "$log/vm-$1.log"
	cat "$log/vm-$1.time"
}
for k in "${ks[@]}"; do
	[[ $k != debug* ]] || continue
	foreground "$k"
done
if [ -n "$bg" ]; then
	wait "$bg"
	bg=
	echo "== VM suite, debug kernel"
	cat "$log/vm-debug.log"
	add_summary "$log/vm-debug.log"
	cat "$log/vm-debug.time"
fi
# Other debug kernels (check-kernels) once that one is done, two VMs each.
for k in "${ks[@]}"; do
	[[ $k == debug?* ]] || continue
	foreground "$k" 2
done

# One line per kernel, then the total.
echo "== results"
grep -hE "$result_re" "$log/host.summary" || echo "host: no result line"
for k in "${ks[@]}"; do
	grep -hE "$result_re" "$log/vm-$k.log" | tail -n1 | grep . ||
		echo "$k: no result line"
done
echo "make check took $(( $(date +%s) - t0 ))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
