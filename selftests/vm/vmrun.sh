#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in QEMU with the host's root shared read-only over 9p (an
# arm64 kernel: with an arm64 userland laid over it, fetch-root.sh) and
# our module staged so that `modprobe vsock_cidreg` works, run a command
# in it, and fail if the command fails or the kernel log shows a splat.
#
#   vmrun.sh [-k KERNEL] [-t SECONDS] [-m MEMORY_MB] [-r ROOT] [-s SLOT] [-i INFO] -- COMMAND [ARGS]
#
# -k KERNEL is a name of selftests/vm/kernels (default: distro, the host's
# own kernel).
#
# -s SLOT names the run directory (build/KERNEL/runSLOT) of a VM that boots
# beside others of the same kernel.
#
# -i INFO: where to write what the VM was (release=, accel=, seconds=
# lines), for vmtest.sh's result.
#
# -r ROOT boots with an installed root (make install DESTDIR=ROOT) instead
# of the staged module: ROOT's usr, etc and lib/modules lie over the
# guest's.
#
# COMMAND runs as root in the guest, from the repository's top directory;
# its output is streamed here. Exit status: COMMAND's, or 124 on a time-out,
# 125 when the VM could not run it, 126 when the kernel log is not clean.
set -euo pipefail
prog=vmrun
. "$(dirname "$0")/lib.sh"

kernel=distro timeout=600 mem=2048 root= slot= info=
while getopts "k:t:m:r:s:i:" opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	r) root=$(cd "$OPTARG" 2>/dev/null && pwd) || die "-r $OPTARG: no such directory" ;;
	s) slot=$OPTARG ;;
	i) info=$OPTARG ;;
	*) die "usage: vmrun.sh [-k KERNEL] [-t SECONDS] [-m MB] [-r ROOT] [-s SLOT] [-i INFO] -- COMMAND" ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
[ $# -gt 0 ] || die "no command given: vmrun.sh [-k KERNEL] -- COMMAND [ARGS]"

[ "$(id -u)" -eq 0 ] ||
	die "must run as root: the 9p root export maps the guest's root to the caller"

# VMs of one kernel may boot side by side (vmtest.sh -j, or two runs such
# as make check and make stress): one prepares the kernel, the module and
# the stage at a time (lib.sh's kernel_lock), each VM holds its stage
# while it runs, and a run directory in use is never taken by another.
kernel_lock "$kernel"
kernel_prepare "$kernel"
# An arm64 kernel boots on QEMU's virt machine, with an arm64 userland
# (fetch-root.sh) laid over the host's root; its console is the PL011
# (the kernel log) and a virtio console (the command's output).
archroot=
case $K_ARCH in
# tsc=unstable: under TCG the clocksource watchdog finds the TSC unstable
# a few seconds into every boot, and the sched_clock static key it then
# flips races with TCG's handling of code patched under other vCPUs: in
# one of seven boots of Debian's 7.3, an int3 Oops in sched_clock_cpu()
# before userspace. Marked unstable from the start, the key never flips.
amd64)	qemu=(qemu-system-x86_64) console=ttyS0 outdev=ttyS1 busybox=/bin/busybox
	qpkg=qemu-system-x86 kargs=tsc=unstable ;;
arm64)	qemu=(qemu-system-aarch64 -M virt) console=ttyAMA0 outdev=hvc0 kargs=
	qpkg=qemu-system-arm
	archroot=$("$vm_dir/fetch-root.sh" arm64) || exit 1
	busybox=$archroot/usr/bin/busybox ;;
*)	die "$kernel is $K_ARCH: no VM known for it" ;;
esac
command -v "${qemu[0]}" >/dev/null ||
	die "${qemu[0]} not found: install $qpkg (scripts/deps.sh${archroot:+ --arm64})"
[ -x "$busybox" ] || die "$busybox not found: install busybox-static"
[ "$K_ARCH" != amd64 ] || /bin/busybox --list | grep -x switch_root >/dev/null ||
	die "/bin/busybox has no switch_root: install busybox-static"
module_build "$kernel"
stage_modules "$kernel"
# A kernel without 9p (Debian's cloud flavour) gets it built here.
K_9P_MODULES=()
modprobe -S "$K_VER" -d "$K_MODROOT" --show-depends 9p >/dev/null 2>&1 ||
	ninep_build "$kernel"
exec 8<"$K_STAGE/.sum"
flock -s 8
flock -u 9
exec 9>&-

run=$build_root/$kernel/run$slot
mkdir -p "$run"
exec 6>>"$run.lock"
if ! flock -n 6; then
	run=$build_root/$kernel/run$slot-$$
	echo "$prog: build/$kernel/run$slot is another run's: using build/${run#"$build_root"/}" >&2
	mkdir -p "$run"
	exec 6>>"$run.lock"
	flock -n 6 || die "cannot lock $run"
fi
rm -rf "$run" && mkdir -p "$run"

# The initramfs: busybox and the modules that mounting 9p needs, in order.
initrd=$run/initramfs
mkdir -p "$initrd/bin" "$initrd/modules"
cp "$busybox" "$initrd/bin/busybox"
cp "$vm_dir/initramfs-init" "$initrd/init"
# A kernel without 9p (Debian's cloud flavour): 9p built here, loaded
# after what it needs of the kernel's own (netfs).
if [ ${#K_9P_MODULES[@]} -gt 0 ]; then
	ninep=()
	for m in "${K_9P_MODULES[@]}"; do
		ninep+=($(modinfo -F depends "$m" | tr , ' '))
	done
	read -ra ninep < <(printf '%s\n' "${ninep[@]}" | grep -vx '9pnet' | sort -u | paste -sd' ')
else
	ninep=(9pnet_virtio 9p)
fi
modprobe -a -S "$K_VER" -d "$K_MODROOT" --show-depends \
	virtio_pci "${ninep[@]}" overlay ${archroot:+virtio_console} 2>"$run/modprobe.err" |
	awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' >"$run/mods" ||
	die "cannot resolve the 9p modules for $K_VER: $(cat "$run/modprobe.err")"
[ ${#K_9P_MODULES[@]} -eq 0 ] || printf '%s\n' "${K_9P_MODULES[@]}" >>"$run/mods"
: >"$initrd/modules.list"
# busybox insmod takes them uncompressed (Debian compresses them from 6.12).
while read -r m; do
	ko=${m##*/}
	ko=${ko%.ko*}.ko
	case $m in
	*.xz) xz -dc "$m" ;;
	*.zst) zstd -qdc "$m" ;;
	*.gz) gzip -dc "$m" ;;
	*) cat "$m" ;;
	esac >"$initrd/modules/$ko" || die "cannot copy $m into the initramfs"
	echo "$ko" >>"$initrd/modules.list"
done <"$run/mods"
(cd "$initrd" && find . | cpio -o -H newc --quiet | gzip -1) >"$run/initramfs.cpio.gz"

# What the guest runs, read by guest-init.sh over 9p.
{
	echo "stage=$(printf %q "$K_STAGE")"
	echo "root=$(printf %q "$root")"
	echo "workdir=$(printf %q "$repo")"
	# A module built for another kernel, for module_test (vmtest.sh).
	[ -z "${CIDREG_FOREIGN_KO:-}" ] ||
		echo "export CIDREG_FOREIGN_KO=$(printf %q "$CIDREG_FOREIGN_KO")"
	# How long stress_test runs and fuzz_test's seed and length (make
	# stress, make fuzz); the long runs of make check-kernels.
	for v in CIDREG_STRESS_ROUNDS CIDREG_STRESS_SECONDS CIDREG_FUZZ_SEED \
		 CIDREG_FUZZ_ITERATIONS CIDREG_LONG; do
		[ -z "${!v:-}" ] || echo "export $v=$(printf %q "${!v}")"
	done
	printf 'command=('
	printf '%q ' "$@"
	echo ')'
} >"$run/spec.sh"

# KVM only where a guest really runs on it (lib.sh's accel_choose); a
# VM that prints nothing under KVM is booted again under TCG, once.
accel_choose "$K_ARCH" "$K_IMAGE"
[ -z "$accel_why" ] || echo "$prog: $accel_why" >&2
share=local,security_model=none,readonly=on,multidevs=remap
if [ -n "$archroot" ]; then
	devices=(-device virtio-serial-pci -chardev stdio,id=out
		-device virtconsole,chardev=out
		-virtfs "$share,path=$archroot,mount_tag=archroot")
else
	devices=(-serial stdio)
fi

klog=$run/kernel.log
out=$run/output.log
# boot: one run of the VM under $accel; its console to $out and here.
boot() {
	local cpu=max
	[ "$accel" = tcg ] || cpu=host
	# Pointer authentication emulated the cheap way: the same checks, a
	# fraction of the cost under TCG.
	[ "$K_ARCH" != arm64 ] || cpu=$cpu,pauth-impdef=on
	rm -f "$run/qemu.pid"
	: >"$klog"
	echo "$prog: booting $kernel kernel $K_VER ($accel), limit ${timeout}s; kernel log: $klog" >&2
	timeout -k 5 "$timeout" "${qemu[@]}" \
		-nodefaults -nographic -no-reboot -display none \
		-accel "$accel" -cpu "$cpu" -smp 2 -m "$mem" \
		-kernel "$K_IMAGE" -initrd "$run/initramfs.cpio.gz" \
		-append "console=$console${kargs:+ $kargs} panic=-1 oops=panic loglevel=6 cidreg_init=$vm_dir/guest-init.sh cidreg_spec=$run/spec.sh cidreg_out=$outdev${archroot:+ cidreg_archroot=1}" \
		-serial "file:$klog" "${devices[@]}" \
		-virtfs "$share,path=/,mount_tag=hostroot" \
		-device virtio-rng-pci -pidfile "$run/qemu.pid" </dev/null |
		sed -u 's/\r$//' | tee "$out"
	return "${PIPESTATUS[0]}"
}
# Under KVM, a watchdog: no first kernel line within
# $kvm_first_line_seconds stops the VM, to be booted again under TCG.
watchdog() {
	first_line_within "$klog" "$run/qemu.pid" "$kvm_first_line_seconds" ||
		kill "$(cat "$run/qemu.pid" 2>/dev/null)" 2>/dev/null || true
}
start=$(date +%s)
set +e
wd=
if [ "$accel" = kvm ]; then
	watchdog &
	wd=$!
fi
boot
qrc=$?
if [ -n "$wd" ]; then
	kill "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
fi
# Stopped by the watchdog, or gone before its first line (QEMU refused
# the vCPU): the same.
if [ "$accel" = kvm ] && ! grep -q 'Linux version' "$klog"; then
	why="the $kernel kernel printed no line under KVM in $(( $(date +%s) - start ))s (QEMU status $qrc)"
	echo "$prog: $why: booting it again under TCG, once" >&2
	accel_stalled "$why"
	accel=tcg
	start=$(date +%s)
	boot
	qrc=$?
fi
set -e
echo "$prog: $kernel kernel: VM ran $(( $(date +%s) - start ))s ($accel)" >&2
[ -z "$info" ] || printf 'release=%s\naccel=%s\nseconds=%s\n' "$K_VER" "$accel" \
	"$(( $(date +%s) - start ))" >"$info"

rc=$(sed -n 's/^VMRUN-EXIT \([0-9]*\)$/\1/p' "$out" | tail -n1)
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	echo "$prog: time limit of ${timeout}s reached: a test hangs; see $out and $klog" >&2
	rc=124
elif [ -z "$rc" ]; then
	line=$(grep -m1 -E 'Kernel panic|initramfs:' "$klog" || true)
	echo "$prog: the VM stopped before the command finished${line:+: $line}; see $klog" >&2
	rc=125
fi

# Anything the kernel reports as wrong fails the run, whatever the
# command's own status; so does a log that cannot be read.
klog_rc=0
klog_check "$klog" 2>"$run/splat" || klog_rc=$?
if [ "$klog_rc" -eq 1 ]; then
	echo "$prog: the kernel log of the $kernel kernel is not clean:" >&2
	cat "$run/splat" >&2
	rc=126
elif [ "$klog_rc" -ne 0 ]; then
	echo "$prog: no kernel log to check in $klog" >&2
	rc=125
fi
exit "$rc"
