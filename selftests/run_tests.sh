#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run kselftest programs one after the other, each under the time limit of
# the `settings` file (timeout=SECONDS, or timeout.TEST=SECONDS for one
# test), framing each one's TAP output for tap-summary.awk:
#
#   run_tests.sh DIR TEST...
#
# Runs in the VM for the VM suite, and on the host for the unit tests.
dir=$1
shift
limit=45
settings=$(dirname "$0")/settings
if [ -r "$settings" ]; then
	limit=$(sed -n 's/^timeout=\([0-9]*\)$/\1/p' "$settings")
fi

for t in "$@"; do
	echo "# selftest: $t"
	start=$(date +%s)
	if [ ! -x "$dir/$t" ]; then
		echo "# $dir/$t: not built"
		rc=127
	else
		l=$limit
		[ ! -r "$settings" ] ||
			l=$(awk -F= -v k="timeout.$t" -v d="$limit" '$1 == k { d = $2 } END { print d }' "$settings")
		timeout -k 5 "$l" "$dir/$t"
		rc=$?
		[ $rc -ne 124 ] || echo "# $t: killed after the ${l}s limit of selftests/settings"
	fi
	echo "# $t took $(( $(date +%s) - start ))s"
	echo "# selftest-exit: $t $rc"
done
