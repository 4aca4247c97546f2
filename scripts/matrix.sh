#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The support matrix of the last `make check-kernels`: one row per kernel
# of selftests/vm/kernels that has a result file (build/results/NAME.json,
# scripts/results.py), written to build/check/matrix.md and into
# README.md between its "support matrix" markers.
set -euo pipefail
cd "$(dirname "$0")/.."
log=build/check results=build/results
r=scripts/results.py
grep -q '^<!-- support matrix: begin' README.md &&
	grep -q '^<!-- support matrix: end' README.md ||
	{ echo "matrix: README.md has no support matrix markers" >&2; exit 1; }
mkdir -p $log
# The tests that not every kernel runs (the manifest's KERNELS is not
# "all"): a row names those it ran.
special=" $(awk '!/^#/ && NF >= 5 && $4 != "all" && $4 != "host" { print $1 }' selftests/tests | paste -sd' ') "

rows=0
{
	echo "| kernel (name in \`selftests/vm/kernels\`) | arch | flavour | release | tested | result | date |"
	echo "|---|---|---|---|---|---|---|"
	while read -r k arch src what cfg tags; do
		f=$results/$k.json
		[ -f "$f" ] || continue
		rows=$((rows + 1))
		tags=",$tags,"
		flavour=generic
		case $what in linux-source-*) flavour="debug, built from $what" ;; esac
		[[ $tags != *,rt,* ]] || case $flavour in
			generic) flavour=PREEMPT_RT ;;
			*) flavour="debug + PREEMPT_RT, built from $what" ;;
			esac
		[[ $tags != *,cloud,* ]] || flavour="$flavour, cloud"
		[[ $tags != *,rc,* ]] || flavour="$flavour, release candidate"
		[ "$src" != installed ] || src="this host's"
		rel=$($r get "$f" release)
		accel=$($r get "$f" accel)
		case $($r get "$f" tested) in
		refused) tested="cross-build: refused as it must be (no DYNAMIC_FTRACE_WITH_ARGS)" ;;
		vm)
			q="QEMU"
			[ "$arch" = amd64 ] || q=qemu-system-aarch64
			tested="VM suite, $q ${accel^^}"
			! $r get "$f" tests | grep -q 'buildtest' || tested="build checks; $tested"
			with=()
			for t in $($r get "$f" tests); do
				[[ $special != *" $t "* ]] || with+=("$t")
			done
			[ ${#with[@]} -eq 0 ] || tested="$tested, with $(printf '%s, ' "${with[@]}" | sed 's/, $//')"
			;;
		*) tested="did not run" ;;
		esac
		result=$($r line "$f" | sed 's/^[^:]*: //') || true
		date=$(date -r "$f" +%F)
		echo "| \`$k\` ($src) | $arch | $flavour | ${rel:-?} | $tested | $result | $date |"
	done < <(awk '!/^#/ && NF { print $1, $2, $3, $4, $5, $6 }' selftests/vm/kernels)
} >"$log/matrix.md.new"
[ "$rows" -gt 0 ] || { echo "matrix: no results in $results: run make check-kernels" >&2; exit 1; }
mv "$log/matrix.md.new" "$log/matrix.md"

awk -v m="$log/matrix.md" '
	/^<!-- support matrix: begin/ { print; while ((getline l < m) > 0) print l; skip = 1; next }
	/^<!-- support matrix: end/ { skip = 0 }
	!skip' README.md >README.md.new
mv README.md.new README.md
echo "matrix: README.md updated ($rows kernels, $log/matrix.md)"
