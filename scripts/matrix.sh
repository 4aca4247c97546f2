#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The support matrix of the last `make check-kernels`: one row per kernel
# of selftests/vm/kernels that the run's logs (build/check/vm-NAME.log,
# scripts/check.sh) cover, written to build/check/matrix.md and into
# README.md between its "support matrix" markers.
set -euo pipefail
cd "$(dirname "$0")/.."
log=build/check
result_re='^[A-Za-z0-9._-]+: [0-9]+ passed, [0-9]+ failed$'
grep -q '^<!-- support matrix: begin' README.md &&
	grep -q '^<!-- support matrix: end' README.md ||
	{ echo "matrix: README.md has no support matrix markers" >&2; exit 1; }

rows=0
{
	echo "| kernel (name in \`selftests/vm/kernels\`) | arch | flavour | release | tested | result | date |"
	echo "|---|---|---|---|---|---|---|"
	while read -r k arch src what cfg; do
		f=$log/vm-$k.log
		[ -f "$f" ] || continue
		rows=$((rows + 1))
		case $what:$cfg in
		linux-source-*rt.config*) flavour="debug + PREEMPT_RT, built from $what" ;;
		linux-source-*) flavour="debug, built from $what" ;;
		*-rt-*) flavour="PREEMPT_RT" ;;
		*) flavour="generic" ;;
		esac
		case $src in *experimental*) flavour="$flavour, release candidate" ;; esac
		[ "$src" != installed ] || src="this host's"
		rel=$(sed -n -e "s/^vmrun: booting $k kernel \([^ ]*\) .*/\1/p" \
			-e "s/^buildtest: $k is \([^ ]*\) .*/\1/p" "$f" | sed -n 1p)
		if grep -q "^vmrun: booting $k kernel" "$f"; then
			tested="VM suite, QEMU TCG"
			[ "$arch" = amd64 ] || tested="VM suite, qemu-system-aarch64 TCG"
			! grep -q "^buildtest: $k is" "$f" || tested="build checks; $tested"
			case $k in 7.* | debug-7.*) tested="$tested, with vsock_localns_test and vsock_upstream_test.sh" ;; esac
		elif [ "$arch" != amd64 ]; then
			tested="cross-build: refused as it must be (no DYNAMIC_FTRACE_WITH_ARGS)"
		else
			tested="did not boot"
		fi
		result=$(grep -hE "$result_re" "$f" | tail -n1) || result="x: no result (the run stopped)"
		date=$(date -r "$f" +%F)
		echo "| \`$k\` ($src) | $arch | $flavour | ${rel:-?} | $tested | ${result#*: } | $date |"
	done < <(awk '!/^#/ && NF { print $1, $2, $3, $4, $5 }' selftests/vm/kernels)
} >"$log/matrix.md.new"
[ "$rows" -gt 0 ] || { echo "matrix: no suite logs in $log: run make check-kernels" >&2; exit 1; }
mv "$log/matrix.md.new" "$log/matrix.md"

awk -v m="$log/matrix.md" '
	/^<!-- support matrix: begin/ { print; while ((getline l < m) > 0) print l; skip = 1; next }
	/^<!-- support matrix: end/ { skip = 0 }
	!skip' README.md >README.md.new
mv README.md.new README.md
echo "matrix: README.md updated ($rows kernels, $log/matrix.md)"
