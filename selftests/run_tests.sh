#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run kselftest programs one after the other, each under its time limit
# of the manifest (selftests/tests, LIMIT; 900 s for a program it does not
# list), framing each one's TAP output for scripts/results.py:
#
#   run_tests.sh DIR TEST...
#
# Runs in the VM for the VM suite, and on the host for the host tests.
dir=$1
shift
manifest=$(dirname "$0")/tests

for t in "$@"; do
	echo "# selftest: $t"
	start=$(date +%s)
	if [ ! -x "$dir/$t" ]; then
		echo "# $dir/$t: not built"
		rc=127
	else
		l=$(awk -v t="$t" '!/^#/ && NF >= 5 && $1 == t { print $3 }' "$manifest" 2>/dev/null)
		timeout -k 5 "${l:-900}" "$dir/$t"
		rc=$?
		[ $rc -ne 124 ] || echo "# $t: killed after the ${l:-900}s limit of selftests/tests"
	fi
	echo "# $t took $(( $(date +%s) - start ))s"
	echo "# selftest-exit: $t $rc"
done
