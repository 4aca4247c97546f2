#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 inside the VM, on the host's root (read-only over 9p). Sets up the
# writable places, lays our staged module tree (or an installed root) over
# /lib/modules, runs the command of the spec file named by cidreg_spec, and
# powers off.
# Output for the host goes to cidreg_out (ttyS1, or hvc0 on arm64); the
# kernel log stays on the first serial port.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LC_ALL=C

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# What udev would add: bash's <(...) and dkms need /dev/fd.
ln -sfn /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null

out=/dev/${cidreg_out:-ttyS1}
stty -F $out raw -echo 2>/dev/null
exec >$out 2>&1 </dev/null

finish() {
	echo "VMRUN-EXIT $1"
	sync
	busybox reboot -f
	sleep 10
}

# shellcheck source=/dev/null
. "$cidreg_spec" || finish 125

# Writable places. The repository (and the stage or root it names) may lie
# below one of them, a clone in /tmp or /root say: hold a bind mount of
# each aside and move it back onto its path in the new tmpfs.
keep=("$workdir")
for p in "${stage:-}" "${root:-}"; do
	[ -n "$p" ] && [ "${p#"$workdir"/}" = "$p" ] && keep+=("$p")
done
hold=/dev/.cidreg-keep
for i in "${!keep[@]}"; do
	mkdir -p "$hold/$i" && mount --bind "${keep[$i]}" "$hold/$i" ||
		{ echo "guest: cannot hold ${keep[$i]}"; finish 125; }
done
for d in /tmp /run /var/tmp /var/lib /var/log /root /mnt; do
	mount -t tmpfs -o mode=0755 tmpfs "$d"
done
chmod 1777 /tmp /var/tmp
for i in "${!keep[@]}"; do
	p=${keep[$i]}
	if [ -d "$p" ]; then
		umount "$hold/$i"
	else
		mkdir -p "$p" && mount --move "$hold/$i" "$p" ||
			{ echo "guest: cannot keep $p visible"; finish 125; }
	fi
done
rm -rf "$hold"
if [ -n "${root:-}" ]; then
	# An installed root (vmrun.sh -r): its files over the host's.
	for d in usr etc lib/modules; do
		[ -d "$root/$d" ] || continue
		mount -t overlay overlay -o "lowerdir=$root/$d:/$d" "/$d" ||
			{ echo "guest: cannot lay $root/$d over /$d"; finish 125; }
	done
else
	mount -t overlay overlay -o "lowerdir=$stage/lib/modules:/lib/modules" \
		/lib/modules || { echo "guest: cannot lay $stage over /lib/modules"; finish 125; }
fi
hostname cidreg-vm
ip link set lo up

cd "$workdir" || finish 125
"${command[@]}"
rc=$?

# Leaks are reported only when a scan finds objects unreferenced for 5 s.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
fi
finish $rc
