#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In the VM: each group of cidreg_bench's figures on its own, under
# `perf record -g` (the process and its children, kernel included),
# recording only the measured regions (the benchmark switches perf on and
# off through its control FIFOs), each group's figures followed by its
# hottest symbols, all below a line PERF-REPORT. Figures measured under
# perf are slower than make bench's.
#
#   selftests/bench/profile.sh [-g 'GROUP...'] CIDREG_BENCH [ARGS]
groups="reserve unknown-held unloaded probe-vs-reserve scaling dump"
if [ "${1:-}" = -g ]; then
	groups=$2
	shift 2
fi
rc=0
export CIDREG_PERF_CTL=/tmp/perf.ctl CIDREG_PERF_ACK=/tmp/perf.ack
for g in $groups; do
	rm -f $CIDREG_PERF_CTL $CIDREG_PERF_ACK
	mkfifo $CIDREG_PERF_CTL $CIDREG_PERF_ACK
	perf record -q -g -D -1 --control "fifo:$CIDREG_PERF_CTL,$CIDREG_PERF_ACK" \
		-o "/tmp/perf-$g.data" -- "$@" -f "$g" >"/tmp/bench-$g.out" 2>&1 ||
		{ rc=1; cat "/tmp/bench-$g.out"; }
done
echo PERF-REPORT
for g in $groups; do
	echo "== $g"
	grep -v '^cidreg_bench\|^BENCH-JSON\|^\[\|^\]\|^{\|^Events \(enabled\|disabled\)' "/tmp/bench-$g.out"
	perf report -i "/tmp/perf-$g.data" --stdio --no-children --percent-limit 1 \
		--sort sym -g none 2>/dev/null | grep -v "^$\|^#" | head -n 25
done
exit $rc
