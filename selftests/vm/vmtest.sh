#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the VM suite (the kselftest programs of selftests/Makefile, built by
# `make selftests`) on one kernel and count the results:
#
#   vmtest.sh [-k KERNEL] [-t SECONDS] [-j VMS] [TEST...]
#
# -j VMS splits the programs over that many VMs booted side by side (each
# program runs whole in one VM; selftests/vm/weights says what each costs,
# the heaviest go first to the least loaded VM). The last line is
# "KERNEL: N passed, N failed"; each VM's clean kernel log counts as one
# more test. Exits non-zero on any failure.
set -uo pipefail
prog=vmtest
. "$(dirname "$0")/lib.sh"

kernel=distro timeout=2400 jobs=1
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
[ ${#tests[@]} -gt 0 ] ||
	read -ra tests < <(make -s -C "$repo/selftests" print-vm-tests KERNEL="$kernel")

# A Debian kernel fetched from the archive: first its build checks
# (buildtest.sh: W=1 and sparse against its headers, the vermagic); on
# another architecture, where the module is refused there by design, they
# are the whole result, else the suite's programs, cross-built, run in its
# VMs as here.
pre_passed=0 pre_failed=0
if [ "$KT_SOURCE" != installed ] && [[ $KT_WHAT != linux-source-* ]]; then
	"$vm_dir/buildtest.sh" "$kernel" | tee "$build_root/$kernel.buildtest.log"
	read -r pre_passed pre_failed < <(sed -n \
		's/^[^ ]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' \
		"$build_root/$kernel.buildtest.log" | tail -n1)
	[ -n "$pre_passed" ] || die "buildtest.sh $kernel gave no result"
	if [ "$KT_ARCH" != amd64 ] &&
		[ ! -e "$build_root/$kernel/buildtest/kernel/vsock_cidreg.ko" ]; then
		echo "$kernel: $pre_passed passed, $pre_failed failed"
		[ "$pre_failed" -eq 0 ]
		exit
	fi
fi
if [ "$KT_ARCH" != amd64 ]; then
	# Its userland (fetch-root.sh) runs the programs, cross-built, not
	# the script tests (libvirt, Python).
	if [ $# -eq 0 ]; then
		read -ra progs < <(make -s -C "$repo/selftests" print-vm-progs)
		kept=()
		for t in "${tests[@]}"; do
			[[ " ${progs[*]} " == *" $t "* ]] && kept+=("$t")
		done
		tests=("${kept[@]}")
	fi
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
		w=$(awk -v t="$t" '$1 == t { print $2 }' "$vm_dir/weights" 2>/dev/null)
		echo "${w:-30} $t"
	done | sort -rn | awk -v n="$jobs" '
		{ best = 0
		  for (i = 1; i < n; i++) if (load[i] < load[best]) best = i
		  load[best] += $1; g[best] = g[best] " " $2 }
		END { for (i = 0; i < n; i++) print substr(g[i], 2) }')

dir=$build_root/$kernel
mkdir -p "$dir"
log=$dir/vmtest.log
run_group() { # INDEX TESTS...
	local i=$1
	shift
	local slot=()
	[ "$i" -eq 0 ] || slot=(-s "$i")
	"$vm_dir/vmrun.sh" -k "$kernel" -t "$timeout" -m 2048 "${slot[@]}" -- \
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

summary=$(awk -v expect="${tests[*]}" -v label="$kernel" \
	-f "$repo/scripts/tap-summary.awk" "$log")
passed=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$summary" | tail -n1)
failed=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$summary" | tail -n1)
sed '$d' <<<"$summary"
for i in "${!rcs[@]}"; do
	rc=${rcs[$i]}
	# Positive evidence only: the VM finished, its command (run_tests.sh,
	# whose verdicts are in the TAP) exited 0, and vmrun read the kernel
	# log and found it clean. Any other status is a failure.
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
	else
		echo "$kernel: not ok: VM $i: kernel log clean and VM finished (vmrun exit $rc)"
		failed=$((failed + 1))
	fi
done
passed=$((passed + pre_passed)) failed=$((failed + pre_failed))
echo "$kernel: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
