#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the VM (see scripts/demo.sh): the same steps on a node
# without the module and with it. Pods are network namespaces; a pod's VM
# is vsock-guestsim (a guest's virtio-vsock driver played from userspace
# against the real /dev/vhost-vsock, echoing on guest port 7000) or a
# paused QEMU; the node agent runs in a pod of its own. Each step prints
# the command it runs, then its real output.
set -u
export PATH=$PWD/build/tools:$PATH
gs=$PWD/build/selftests/vsock-guestsim
qemu=(qemu-system-x86_64 -M pc -S -nodefaults -display none -m 32 -monitor none)

step() {
	echo
	echo "\$ $*"
	"$@"
}

# pod-a's VM, CID 1000, in the background: answers one connection.
vm_a() {
	ip netns exec pod-a "$gs" -c 1000 listen 7000 --echo & vm=$!
	for _ in $(seq 50); do
		ls -l /proc/$vm/fd 2>/dev/null | grep -q vhost-vsock && break
		sleep 0.1
	done
	sleep 0.5
}

# `hello NETNS`: says hello to pod-a's guest from NETNS.
hello() {
	echo "hello from $1" | ip netns exec "$1" timeout 10 socat -t 3 - VSOCK-CONNECT:1000:7000
}

pods() {
	local p
	for p in pod-a pod-b pod-agent; do ip netns del "$p" 2>/dev/null; ip netns add "$p"; done
}

echo "== vsock-cidreg demo on $(uname -r)"
modprobe vhost_vsock
pods

echo
echo "== Without the module: vsock ignores network namespaces."
echo "-- pod-b's VM starts first with the CID the cluster gave pod-a (1000):"
ip netns exec pod-b "${qemu[@]}" -device vhost-vsock-pci,guest-cid=1000 </dev/null 2>/dev/null & q=$!
sleep 3
echo "   pod-b's QEMU runs with CID 1000 (pid $q)"
echo "-- so pod-a's own VM cannot start:"
step ip netns exec pod-a "${qemu[@]}" -device vhost-vsock-pci,guest-cid=1000 </dev/null
kill $q; wait $q 2>/dev/null
echo "-- and once pod-a's VM runs, any pod talks to its guest:"
vm_a
step hello pod-b
wait $vm

echo
echo "== With the module."
step modprobe vsock_cidreg
pods
cidctl monitor >/tmp/demo-events & mon=$!
sleep 1
echo "-- the node agent, in its own pod, trusts it and reserves pod-a's CID for pod-a:"
step ip netns exec pod-agent cidctl trust --netns self
step ip netns exec pod-agent cidctl reserve 1000 --netns pod-a --label kubevirt/default/vm-a
echo "-- pod-b's QEMU asking for it is refused (busy, whoever asks):"
step ip netns exec pod-b "${qemu[@]}" -device vhost-vsock-pci,guest-cid=1000 </dev/null
echo "-- pod-a's VM starts with it:"
vm_a
step cidctl list
echo "-- pod-b cannot talk to pod-a's guest:"
step hello pod-b
echo "-- pod-a can, and so can the node agent:"
step hello pod-a
wait $vm
vm_a
step hello pod-agent
wait $vm
echo "-- deleting pod-a frees its CID:"
step ip netns del pod-a
for _ in $(seq 50); do cidctl show 1000 >/dev/null 2>&1 || break; sleep 0.2; done
step cidctl list
sleep 0.5
kill $mon; wait $mon 2>/dev/null
echo
echo "-- what cidctl monitor saw meanwhile:"
cat /tmp/demo-events
cidctl untrust --netns pod-agent
for p in pod-b pod-agent; do ip netns del "$p"; done
step modprobe -r vsock_cidreg
