# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# For the shell tests: `tap NAME COMMAND...` runs COMMAND (a function runs
# under `set -e`: any command of it that fails fails the test) and prints
# "ok N NAME", or "not ok N NAME" and the end of what COMMAND printed,
# then "#   NAME: Ns", how long it took.
# Needs $d, a scratch directory; counts in $n, failures in $fails. Sourced,
# not run.

n=${n:-0} fails=${fails:-0}

# json PYTHON-EXPRESSION: the expression over j, the JSON document on
# stdin; fails if it is false, printing the document (for the log).
# /usr/bin/python3: the system's, whatever a test puts first in PATH.
json() {
	/usr/bin/python3 -c "import json,sys; j=json.load(sys.stdin); ok=($1); ok or print(j); sys.exit(0 if ok else 1)"
}

tap() {
	local t=$1 rc s=$SECONDS
	shift
	n=$((n + 1))
	# Not in a condition (nor before ||): there, bash would ignore set -e.
	# The scripts that source this file do not set -e themselves.
	( set -e; "$@" ) >"$d/out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $n $t"
	else
		echo "not ok $n $t"
		fails=$((fails + 1))
		tail -n 30 "$d/out" | sed 's/^/#   /'
	fi
	echo "#   $t: $((SECONDS - s))s"
}

# `tap_fn NAME FUNCTION`: as tap, for a function run under `set -e` in a
# subshell (a failing command in it fails the test), with all it printed.
tap_fn() {
	local rc s=$SECONDS
	n=$((n + 1))
	# Not in a condition: there, bash would ignore set -e.
	( set -e; "$2" ) >"$d/out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		sed 's/^/#   /' "$d/out"
		fails=$((fails + 1))
	fi
	echo "#   $1: $((SECONDS - s))s"
}

# A host test with a part in a VM: `tap_inside "$@"` runs the script's
# inside_tests, numbered from N, when it was started as `--inside N` (in
# the VM), then exits; `tap_vm COUNT VMRUN-OPTION...` starts "$self
# --inside N" in a VM (vmrun.sh), which prints its COUNT tests, then
# prints one more: that the VM ran and its kernel log is clean. Need
# $repo and $self.
tap_inside() {
	[ "${1:-}" = --inside ] || return 0
	n=$2
	inside_tests
	exit 0
}

tap_vm() {
	local count=$1 rc
	shift
	"$repo/selftests/vm/vmrun.sh" "$@" -- "$self" --inside "$n" 2>"$d/vm.err" |
		grep -v '^VMRUN-EXIT'
	rc=${PIPESTATUS[0]}
	n=$((n + count + 1))
	if [ "$rc" -eq 0 ]; then
		echo "ok $n vm_ran_and_its_kernel_log_is_clean"
	else
		echo "not ok $n vm_ran_and_its_kernel_log_is_clean # vmrun exit $rc"
		fails=$((fails + 1))
		sed 's/^/#   /' "$d/vm.err" | tail -n 30
	fi
}
