#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the VM (see scripts/demo.sh). Each step prints the
# command it runs, then its real output.
set -u

step() {
	echo
	echo "\$ $*"
	"$@"
}

echo "== vsock-cidreg demo on $(uname -r)"
step modprobe vsock_cidreg
step modinfo -F version vsock_cidreg
step cat /sys/module/vsock_cidreg/version
step ls -l /dev/vsock-cidreg

echo
echo "== The hole: before Linux 7.0, vsock ignores network namespaces."
echo "   A listener in netns 'pod-a' accepts a connection from netns 'pod-b':"
modprobe vsock_loopback
ip netns add pod-a
ip netns add pod-b
ip netns exec pod-a socat -u VSOCK-LISTEN:5000 STDOUT &
sleep 1
step ip netns exec pod-b socat -u STDIN VSOCK-CONNECT:1:5000 <<<"hello from pod-b"
wait
echo
echo "(the registry and the hooks that close this come next: see README.md)"

step modprobe -r vsock_cidreg
