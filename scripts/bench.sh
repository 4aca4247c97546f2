#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: selftests/bench/cidreg_bench in one VM, the table on
# standard output, and build/bench/KERNEL.json.
#
#   scripts/bench.sh [-k KERNEL] [-s] [-p]
#
# -k: a kernel of selftests/vm/kernels (default distro); -s: the smoke
# run (seconds); -p: each group of figures under perf (`perf record -a
# -g`), with its hottest symbols (build/bench/KERNEL.perf.txt) instead of
# the table.
set -euo pipefail
cd "$(dirname "$0")/.."
kernel=distro smoke= profile=
while getopts "k:sp" opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	s) smoke=-s ;;
	p) profile=1 ;;
	*) echo "usage: scripts/bench.sh [-k KERNEL] [-s] [-p]" >&2; exit 2 ;;
	esac
done
out=build/bench
mkdir -p "$out"
cmd=(build/selftests/cidreg_bench $smoke -c build/tools/cidctl)
if [ -n "$profile" ]; then
	cmd=(selftests/bench/profile.sh "${cmd[@]}")
else
	cmd+=(-o -)
fi
start=$(date +%s)
selftests/vm/vmrun.sh -k "$kernel" -m 3072 -t 2400 -s -bench -- "${cmd[@]}" \
	>"$out/$kernel.log"
sed '/^BENCH-JSON$/,$d' "$out/$kernel.log" | sed '/^PERF-REPORT$/,$d'
sed -n '/^BENCH-JSON$/,/^\]$/p' "$out/$kernel.log" | sed 1d >"$out/$kernel.json"
if [ -n "$profile" ]; then
	sed -n '/^PERF-REPORT$/,$p' "$out/$kernel.log" | sed '1d;/^VMRUN-EXIT/d' \
		>"$out/$kernel.perf.txt"
	cat "$out/$kernel.perf.txt"
fi
[ -n "$profile" ] || python3 -c 'import json, sys; n = len(json.load(open(sys.argv[1]))); print(f"bench: {n} figures in {sys.argv[1]}")' \
	"$out/$kernel.json"
echo "bench: $(( $(date +%s) - start )) s; command: scripts/bench.sh -k $kernel $smoke${profile:+ -p}"
