#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Throughput of the userspace guest (vsock-guestsim) through the real
# vhost-vsock driver, in the VM, both ways, with and without vsock_cidreg
# enforcing. A benchmark: it reports figures, it asserts nothing.
#
#   selftests/vm/vmrun.sh [-k debug] -- selftests/bench/guestsim_throughput.sh [MiB]
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
gs=$repo/build/selftests/vsock-guestsim
mib=${1:-100}
bytes=$((mib * 1024 * 1024))
modprobe vhost_vsock

run() { # LABEL
	# guest -> host: the guest sends, socat on the host discards.
	socat -u VSOCK-LISTEN:9000 OPEN:/dev/null & s=$!
	sleep 1
	echo "$1, guest to host: $("$gs" -c 5000 connect 9000 --send "$bytes")"
	wait $s
	# host -> guest: socat sends from memory, the guest discards.
	"$gs" -c 5001 listen 9001 >/dev/null & g=$!
	sleep 1
	t0=$(date +%s.%N)
	head -c "$bytes" /dev/zero | socat -u - VSOCK-CONNECT:5001:9001
	wait $g
	t1=$(date +%s.%N)
	echo "$1, host to guest: $mib MiB in $(echo "$t1 - $t0" | bc) s:" \
		"$(echo "scale=1; $bytes / ($t1 - $t0) / 1000000" | bc) MB/s"
}

run "without vsock_cidreg"
modprobe vsock_cidreg
run "with vsock_cidreg (mode enforce, initial netns)"
