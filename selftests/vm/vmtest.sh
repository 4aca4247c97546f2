#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the VM suite (the kselftest programs of selftests/Makefile, built by
# `make selftests`) on one kernel and count the results:
#
#   vmtest.sh [-k KERNEL] [-t SECONDS] [-j VMS] [TEST...]
#
# Without TEST, the tests the manifest (selftests/tests) gives KERNEL.
# -j VMS splits the programs over that many VMs booted side by side (each
# program runs whole in one VM; the manifest's WEIGHT says what each
# costs, the heaviest go first to the least loaded VM). The result goes to
# build/results/KERNEL.json (scripts/results.py: counts, each test's
# status and duration, kernel release, accelerator, wall time); the last
# line is "KERNEL: N passed, N failed", made from it. Each VM's clean
# kernel log counts as one more test. Exits non-zero on any failure.
set -uo pipefail
prog=vmtest
. "$(dirname "$0")/lib.sh"

kernel=distro timeout=2400 jobs=1 t0=$(date +%s)
while getopts "k:t:j:" opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	t) timeout=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) die "usage: vmtest.sh [-k KERNEL] [-t SECONDS] [-j VMS] [TEST...]" ;;
	esac
done
shift $((OPTIND - 1))
[[ $jobs =~ ^[1-9]$ ]] || die "-j $jobs: give 1 to 9 VMs"
kernel_row "$kernel"

bindir=$build_root/selftests
tests=("$@")
[ ${#tests[@]} -gt 0 ] || read -ra tests < <(suite_tests "$kernel" | paste -sd' ')
result=$build_root/results/$kernel.json
dir=$build_root/$kernel
mkdir -p "$build_root/results" "$dir"
rm -f "$result" "$dir"/vm-*.info
parts=()

# A Debian kernel fetched from the archive: first its build checks
# (buildtest.sh: W=1 and sparse against its headers, the vermagic); on
# another architecture, where the module is refused there by design, they
# are the whole result, else the suite's programs, cross-built, run in its
# VMs as here.
if [ "$KT_SOURCE" != installed ] && [[ $KT_WHAT != linux-source-* ]]; then
	"$vm_dir/buildtest.sh" "$kernel" | tee "$build_root/$kernel.buildtest.log"
	parts+=(--part "$dir/buildtest.json")
	if [ "$KT_ARCH" != amd64 ] &&
		[ ! -e "$build_root/$kernel/buildtest/kernel/vsock_cidreg.ko" ]; then
		"$repo/scripts/results.py" merge "$result" --label "$kernel" \
			--meta "kernel=$kernel" --meta "arch=$KT_ARCH" \
			--meta "tested=refused" --meta "wall=$(( $(date +%s) - t0 ))" "${parts[@]}"
		exit
	fi
fi
if [ "$KT_ARCH" != amd64 ]; then
	# Its userland (fetch-root.sh) runs the programs, cross-built.
	bindir=$build_root/$KT_ARCH/selftests
	make -s -C "$repo/selftests" vm-progs CC=aarch64-linux-gnu-gcc \
		OUTPUT="$bindir" >"$build_root/$kernel.selftests.log" 2>&1 || {
		cat "$build_root/$kernel.selftests.log" >&2
		die "cross-building the suite for $KT_ARCH failed"
	}
fi
# vsock_upstream_test.sh (7.x) runs the kernel's own vsock_test.
if [[ " ${tests[*]} " == *" vsock_upstream_test.sh "* ]]; then
	[ "$KT_ARCH" = amd64 ] ||
		die "vsock_upstream_test.sh: vsock_test is built for amd64 kernels only"
	upstream_vsock_test "$bindir/upstream"
fi
# ynl_cli_test.sh drives the family with the kernel's own tools/net/ynl.
if [[ " ${tests[*]} " == *" ynl_cli_test.sh "* ]]; then
	src=$(upstream_tree) || exit 1
	rm -rf "$bindir/ynl" && mkdir -p "$bindir/ynl" &&
		cp -r "$src/tools/net/ynl/pyynl" "$bindir/ynl/" &&
		cp "$src/Documentation/netlink/genetlink-legacy.yaml" "$bindir/ynl/" ||
		die "cannot copy tools/net/ynl of $src"
fi
for t in "${tests[@]}"; do
	[ -x "$bindir/$t" ] || die "$bindir/$t not built: run make selftests"
done
# Once for all the VMs: module_test loads it and expects a refusal.
foreign_build "$kernel"
export CIDREG_FOREIGN_KO=$K_FOREIGN
[ "$jobs" -le ${#tests[@]} ] || jobs=${#tests[@]}

# Longest first, each to the VM with the least work so far.
mapfile -t groups < <(
	for t in "${tests[@]}"; do
		w=$(test_field "$t" weight) || w=30
		[[ $w =~ ^[0-9]+$ ]] || w=30
		echo "$w $t"
	done | sort -rn | awk -v n="$jobs" '
		{ best = 0
		  for (i = 1; i < n; i++) if (load[i] < load[best]) best = i
		  load[best] += $1; g[best] = g[best] " " $2 }
		END { for (i = 0; i < n; i++) print substr(g[i], 2) }')

log=$dir/vmtest.log
run_group() { # INDEX TESTS...
	local i=$1
	shift
	local slot=()
	[ "$i" -eq 0 ] || slot=(-s "$i")
	"$vm_dir/vmrun.sh" -k "$kernel" -t "$timeout" -m 2048 "${slot[@]}" \
		-i "$dir/vm-$i.info" -- \
		selftests/run_tests.sh "$bindir" "$@"
}

pids=()
if [ "$jobs" -eq 1 ]; then
	run_group 0 "${tests[@]}" | tee "$log"
	rcs=("${PIPESTATUS[0]}")
else
	for i in "${!groups[@]}"; do
		read -ra g <<<"${groups[$i]}"
		echo "$prog: VM $i of $kernel runs ${g[*]}"
		run_group "$i" "${g[@]}" >"$dir/vmtest-$i.log" 2>&1 &
		pids+=($!)
	done
	rcs=()
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}"
		rcs+=($?)
	done
	for i in "${!groups[@]}"; do
		echo "$prog: VM $i of $kernel:"
		cat "$dir/vmtest-$i.log"
	done
	for i in "${!groups[@]}"; do cat "$dir/vmtest-$i.log"; done >"$log"
fi

"$repo/scripts/results.py" tap "$log" --label "$kernel" --expect "${tests[*]}" \
	>"$dir/tap.json" || die "cannot read the suite's TAP in $log"
parts+=(--part "$dir/tap.json")
# Positive evidence only: the VM finished, its command (run_tests.sh, whose
# verdicts are in the TAP) exited 0, and vmrun read the kernel log and
# found it clean. Any other status is a failure.
for i in "${!rcs[@]}"; do
	if [ "${rcs[$i]}" -eq 0 ]; then
		parts+=(--check "VM $i: kernel log clean and VM finished=ok")
	else
		parts+=(--check "VM $i: kernel log clean and VM finished=vmrun exit ${rcs[$i]}")
	fi
done
# What the VMs said of themselves (vmrun.sh -i).
meta() { # KEY: its values over the VMs, each once
	cat "$dir"/vm-*.info 2>/dev/null | sed -n "s/^$1=//p" | sort -u | paste -sd,
}
"$repo/scripts/results.py" merge "$result" --label "$kernel" \
	--meta "kernel=$kernel" --meta "arch=$KT_ARCH" --meta "tested=vm" \
	--meta "release=$(meta release)" --meta "accel=$(meta accel)" \
	--meta "vm_seconds=$(meta seconds)" --meta "wall=$(( $(date +%s) - t0 ))" \
	"${parts[@]}"
