#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: build everything, check the kernel code (W=1, sparse,
# checkpatch), run the host tests, then the VM suite on the kernels that
# selftests/vm/kernels tags `check` (make check-kernels: on every kernel).
# Each suite writes its result to build/results/ (scripts/results.py);
# the lines printed at the end, one per suite, and the closing "N passed,
# N failed" are made from those files.
#
#   CHECK_KERNELS="distro 7.3" picks other VM kernels, by their names in
#   selftests/vm/kernels.
#   CIDREG_RESUME=1 (make check-kernels) resumes: a suite (the host
#   tests, or a kernel's) that passed with every tracked file as it is
#   now is not run again. Results are kept per content in
#   selftests/vm/passed/KEY/ (KEY: a hash of every tracked file but that
#   directory and README.md, whose matrix is made from them), a tracked
#   directory: committed, they let a run on another machine, at the same
#   content, go on where this one stopped. Remove it to start over.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
repo=$PWD
kernels=${CHECK_KERNELS:-$(selftests/vm/suite.sh kernels check)}
t0=$(date +%s)
log=build/check results=build/results
rm -rf "$results"
mkdir -p $log "$results"

archive=
passed=selftests/vm/passed
if [ "${CIDREG_RESUME:-0}" = 1 ] && git rev-parse HEAD >/dev/null 2>&1 &&
	[ -z "$(git status --porcelain --untracked-files=no -- . ":!$passed" ':!README.md')" ]; then
	key=$(git ls-tree -r HEAD | grep -v -e "	$passed/" -e '	README.md$' |
		sha1sum | cut -c1-16)
	archive=$passed/$key
	# What passed at other content proves nothing now.
	find "$passed" -mindepth 1 -maxdepth 1 ! -name "$key" -exec rm -rf {} + 2>/dev/null
	mkdir -p "$archive"
	echo "check: results are kept in $archive (commit it to resume elsewhere)"
fi
passed_before() { # NAME: it passed at this content; its result is used
	[ -n "$archive" ] && [ -f "$archive/$1.json" ] &&
		scripts/results.py total "$archive/$1.json" >/dev/null 2>&1 &&
		cp "$archive/$1.json" "$results/$1.json" || return 1
	echo "== $1: passed at this content already ($archive/$1.json), not run again"
}
keep() { # NAME: a passing result is kept for the next run at this content
	[ -z "$archive" ] || ! scripts/results.py total "$results/$1.json" >/dev/null 2>&1 ||
		cp "$results/$1.json" "$archive/"
}

tree=()
count() { # NAME COMMAND... : one check of the tree, pass or fail
	local name=$1 s=$(date +%s)
	shift
	if "$@" >"$log/$name.log" 2>&1; then
		tree+=(--check "$name=ok")
		echo "ok: $name ($(( $(date +%s) - s ))s)"
	else
		tree+=(--check "$name=fail")
		echo "FAILED: $name; the end of $log/$name.log:"
		tail -n 25 "$log/$name.log"
	fi
}

# The kernels tagged debug are built from source (once, then cached) and
# take longest: the first one's build starts now, and its suite runs in
# the background on two VMs from the moment the suite is built (waiting
# for its kernel), beside the host tests, whose VMs keep about one core
# busy, and then the other kernels' suites, one after another, one VM
# each, streamed here; the other debug kernels run last, two VMs each.
read -ra ks <<<"$kernels"
debug_tagged=" $(selftests/vm/suite.sh kernels debug) "
first_debug=
for k in "${ks[@]}"; do
	[[ $debug_tagged == *" $k "* ]] || continue
	passed_before "$k" && continue
	first_debug=$k
	selftests/vm/build-debug-kernel.sh "$k" >$log/debug-kernel.log 2>&1 &
	break
done

# The other kernels and their build roots are fetched now, beside the
# debug kernel's build (mostly the network), not when their turn comes;
# niced, as unpacking them took two minutes off that build.
(
	renice -n 10 -p $BASHPID >/dev/null
	prog=check
	. selftests/vm/lib.sh
	for k in "${ks[@]}"; do
		[[ $debug_tagged != *" $k "* ]] || continue
		(kernel_prepare "$k" && kbuild_args) ||
			echo "check: fetching $k failed; its suite will say why"
	done
) >"$log/prefetch.log" 2>&1 &

# Which accelerator the VMs get, said once (selftests/vm/lib.sh).
(
	prog=check
	. selftests/vm/lib.sh
	kernel_prepare distro
	accel_choose amd64 "$K_IMAGE"
	echo "check: VMs boot under ${accel^^}: ${accel_verdict#$accel }"
)

count build make all selftests
suite() { # KERNEL [VMS]
	local s=$(date +%s)
	selftests/vm/vmtest.sh -k "$1" -j "${2:-1}" >"$log/vm-$1.log" 2>&1
	echo "== $1 kernel: $(( $(date +%s) - s ))s" >"$log/vm-$1.time"
	keep "$1"
}
bg=
if [ -n "$first_debug" ]; then
	suite "$first_debug" 2 &
	bg=$!
fi
count kernel-W1-sparse make module-strict
count checkpatch make checkpatch

echo "== host tests"
if ! passed_before host; then
	host_tests=$(selftests/vm/suite.sh tests host)
	# shellcheck disable=SC2086
	selftests/run_tests.sh build/selftests $host_tests | tee $log/host.tap
	scripts/results.py tap $log/host.tap --label host --expect "$host_tests" \
		>$log/host.tap.json
	scripts/results.py merge "$results/host.json" --label host --part $log/host.tap.json
	keep host
fi

# One suite at a time beside the debug suite's two VMs. The moment that
# is done, the last kernel left starts beside the others, and when that
# one is done the last left again (its log printed after the suite in
# front); a suite left alone gets both VMs.
rest=()
for k in "${ks[@]}"; do
	[[ $debug_tagged != *" $k "* ]] || continue
	passed_before "$k" || rest+=("$k")
done
beside= beside_pid= done_beside=()
running() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
start_beside() { # rest[0] is the suite in the foreground
	if [ -n "$beside" ] && ! running "$beside_pid"; then
		wait "$beside_pid"
		done_beside+=("$beside")
		beside= beside_pid=
	fi
	[ -z "$beside" ] && [ ${#rest[@]} -ge 2 ] && ! running "$bg" || return 0
	beside=${rest[-1]}
	unset 'rest[-1]'
	echo "== VM suite, $beside kernel, beside the others (its log below when done)"
	suite "$beside" &
	beside_pid=$!
}
print_beside() {
	local k
	for k in "${done_beside[@]}"; do
		echo "== VM suite, $k kernel"
		cat "$log/vm-$k.log" "$log/vm-$k.time"
	done
	done_beside=()
}
foreground() { # KERNEL [VMS]
	echo "== VM suite, $1 kernel${2:+, $2 VMs}$(running "$bg" && echo " ($first_debug in the background)")"
	: >"$log/vm-$1.log"
	suite "$@" &
	local pid=$! tail_pid
	tail -n +1 -f "$log/vm-$1.log" --pid=$pid 2>/dev/null &
	tail_pid=$!
	while running $pid; do
		start_beside
		sleep 2
	done
	wait $pid
	wait $tail_pid
	cat "$log/vm-$1.time"
	print_beside
}
while [ ${#rest[@]} -gt 0 ]; do
	start_beside
	print_beside
	if [ ${#rest[@]} -eq 1 ] && ! running "$bg" && ! running "$beside_pid"; then
		foreground "${rest[0]}" 2
	else
		foreground "${rest[0]}"
	fi
	rest=("${rest[@]:1}")
done
if [ -n "$beside" ]; then
	wait "$beside_pid"
	done_beside+=("$beside")
fi
print_beside
if [ -n "$bg" ]; then
	wait "$bg"
	bg=
	echo "== VM suite, $first_debug kernel"
	cat "$log/vm-$first_debug.log"
	cat "$log/vm-$first_debug.time"
fi
for k in "${ks[@]}"; do
	[[ $debug_tagged == *" $k "* ]] && [ "$k" != "$first_debug" ] || continue
	[ -f "$results/$k.json" ] || passed_before "$k" || foreground "$k" 2
done

# The checks of the tree, then one line per suite and the total, from
# the result files.
scripts/results.py merge "$results/tree.json" --label tree "${tree[@]}" >/dev/null
echo "== results"
echo "make check took $(( $(date +%s) - t0 ))s"
files=("$results/tree.json" "$results/host.json")
for k in "${ks[@]}"; do files+=("$results/$k.json"); done
scripts/results.py total "${files[@]}"
