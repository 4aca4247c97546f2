#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the VM suite (the kselftest programs of selftests/Makefile, built by
# `make selftests`) in one VM on one kernel and count the results:
#
#   vmtest.sh [-k distro|debug] [-t SECONDS] [TEST...]
#
# The last line is "KERNEL: N passed, N failed"; a clean kernel log counts
# as one more test. Exits non-zero on any failure.
set -uo pipefail
prog=vmtest
. "$(dirname "$0")/lib.sh"

kernel=distro timeout=2400
while getopts "k:t:" opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	t) timeout=$OPTARG ;;
	*) die "usage: vmtest.sh [-k distro|debug] [-t SECONDS] [TEST...]" ;;
	esac
done
shift $((OPTIND - 1))

bindir=$build_root/selftests
tests=("$@")
[ ${#tests[@]} -gt 0 ] || read -ra tests < <(make -s -C "$repo/selftests" print-vm-tests)
for t in "${tests[@]}"; do
	[ -x "$bindir/$t" ] || die "$bindir/$t not built: run make selftests"
done

log=$build_root/$kernel/vmtest.log
mkdir -p "$build_root/$kernel"
"$vm_dir/vmrun.sh" -k "$kernel" -t "$timeout" -m 2048 -- \
	selftests/run_tests.sh "$bindir" "${tests[@]}" | tee "$log"
rc=${PIPESTATUS[0]}

summary=$(awk -v expect="${tests[*]}" -v label="$kernel" \
	-f "$repo/scripts/tap-summary.awk" "$log")
passed=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$summary" | tail -n1)
failed=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$summary" | tail -n1)
sed '$d' <<<"$summary"
if [ "$rc" -eq 126 ] || [ "$rc" -eq 124 ] || [ "$rc" -eq 125 ]; then
	echo "$kernel: not ok: kernel log clean and VM finished (vmrun exit $rc)"
	failed=$((failed + 1))
else
	passed=$((passed + 1))
fi
echo "$kernel: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
