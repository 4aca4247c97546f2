# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# For the shell tests: `tap NAME COMMAND...` runs COMMAND and prints
# "ok N NAME", or "not ok N NAME" and the end of what COMMAND printed.
# Needs $d, a scratch directory; counts in $n, failures in $fails. Sourced,
# not run.

n=${n:-0} fails=${fails:-0}
tap() {
	local t=$1
	shift
	n=$((n + 1))
	if "$@" >"$d/out" 2>&1; then
		echo "ok $n $t"
	else
		echo "not ok $n $t"
		fails=$((fails + 1))
		tail -n 30 "$d/out" | sed 's/^/#   /'
	fi
}
