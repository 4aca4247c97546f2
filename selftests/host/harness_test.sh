#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests of the test harness itself: the result counting of
# scripts/results.py, the manifest, the kernel-log check and the
# accelerator choice of the VM runner. A
# harness that miscounts passes broken code, so it is tested like code.
# Prints TAP.
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
[ -f "$repo/scripts/results.py" ] || repo=${CIDREG_REPO:?}
# shellcheck source=../vm/lib.sh
. "$repo/selftests/vm/lib.sh"

# The scratch directory lies in /tmp: the last test boots a VM from it.
d=$(mktemp -d /tmp/cidreg-harness.XXXXXX)
trap 'rm -rf "$d"' EXIT
# shellcheck source=../lib/tap.sh
. "$repo/selftests/lib/tap.sh"

summary() { # EXPECT -- prints the result line for the framed TAP on stdin
	"$repo/scripts/results.py" tap /dev/stdin --label t --expect "$1" >"$d/r.json"
	"$repo/scripts/results.py" line "$d/r.json"
}

frame() { # NAME RC BODY
	printf '# selftest: %s\n%s\n# selftest-exit: %s %s\n' "$1" "$3" "$1" "$2"
}

echo "TAP version 13"
echo "1..26"

out=$(frame a 0 $'1..2\nok 1 x\nok 2 y' | summary a)
tap counts_passes [ "$out" = "t: 2 passed, 0 failed" ]

out=$(frame a 1 $'1..2\nok 1 x\nnot ok 2 y' | summary a)
tap counts_failures [ "$out" = "t: 1 passed, 1 failed" ]

out=$(frame a 0 $'1..2\nok 1 x\nok 2 y # SKIP no vhost' | summary a)
tap a_skip_is_a_failure [ "$out" = "t: 1 passed, 1 failed" ]

out=$(frame a 1 $'1..3\nok 1 x' | summary a)
tap planned_but_unreported_tests_fail [ "$out" = "t: 1 passed, 2 failed" ]

out=$(frame a 0 $'1..1\nok 1 x\nok 2 y' | summary a)
tap more_results_than_the_plan_fail [ "$out" = "t: 2 passed, 1 failed" ]

out=$(printf '# selftest: a\n1..2\nok 1 x\n' | summary a)
tap a_program_that_never_finished_fails [ "$out" = "t: 1 passed, 1 failed" ]

out=$(frame a 0 $'1..1\nok 1 x' | summary "a b")
tap an_expected_program_that_never_ran_fails [ "$out" = "t: 1 passed, 1 failed" ]

out=$(frame a 139 $'1..1\nok 1 x' | summary a)
tap a_nonzero_exit_without_failures_fails [ "$out" = "t: 1 passed, 1 failed" ]

splats=(
	"[    1.0] BUG: KASAN: slab-use-after-free in vsock_bind+0x1/0x2"
	"[    1.0] WARNING: CPU: 0 PID: 1 at kernel/foo.c:1 bar+0x1/0x2"
	"[    1.0] WARNING: possible circular locking dependency detected"
	"[    1.0] UBSAN: shift-out-of-bounds in kernel/foo.c:1:2"
	"[    1.0] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)"
	"[    1.0] Oops: general protection fault, probably for non-canonical address"
	"[    1.0] Kernel panic - not syncing: Fatal exception"
)
bad=0
for l in "${splats[@]}"; do
	grep -qE "$splat_re" <<<"$l" || { echo "# not caught: $l"; bad=1; }
done
tap kernel_log_check_catches_every_splat [ $bad -eq 0 ]

benign=(
	"[    1.0] vsock_cidreg: loading out-of-tree module taints kernel."
	"[    1.0] vsock_cidreg: module verification failed: signature and/or required key missing - tainting kernel"
	"[    1.0] kmemleak: Kernel memory leak detector initialized (mem pool available: 15000)"
	"[    1.0] vsock_cidreg: version 0.1.0 loaded"
)
bad=0
for l in "${benign[@]}"; do
	! grep -qE "$splat_re" <<<"$l" || { echo "# false alarm: $l"; bad=1; }
done
tap kernel_log_check_ignores_benign_lines [ $bad -eq 0 ]

# run_tests.sh reports a missing program as a failure, not a pass.
out=$("$repo/selftests/run_tests.sh" /nonexistent nope | summary nope)
tap run_tests_reports_a_missing_program [ "$out" = "t: 0 passed, 1 failed" ]

# Green needs positive evidence: each way a run once looked green while
# it was red.
out=$(frame a 0 '' | summary a)
tap a_program_that_reports_nothing_fails [ "$out" = "t: 0 passed, 1 failed" ]

out=$(frame a 0 '1..0 # SKIP no vhost_vsock' | summary a)
tap a_program_that_skips_everything_fails [ "$out" = "t: 0 passed, 1 failed" ]

out=$(printf '' | summary '')
tap an_empty_test_list_fails [ "$out" = "t: 0 passed, 1 failed" ]

# A fake boot log with about 20 KB of splat: under pipefail the check
# once died of SIGPIPE (exit 141), which counted as clean.
big_splat() {
	echo "[    0.0] Linux version 6.1.0-56-amd64"
	for i in $(seq 200); do
		echo "[    1.$i] WARNING: CPU: 0 PID: $i at kernel/foo.c:1 bar+0x1/0x2"
		echo "[    1.$i] Call Trace: a long line of frames to fill the log up"
	done
}
big_splat >"$d/klog"
klog_sees_a_big_splat() {
	local rc=0
	[ "$(wc -c <"$d/klog")" -gt 20000 ]
	( set -euo pipefail; klog_check "$d/klog" ) 2>"$d/err" || rc=$?
	[ "$rc" -eq 1 ] && [ "$(wc -l <"$d/err")" -eq 60 ]
}
tap a_20kb_splat_fails_the_kernel_log_check klog_sees_a_big_splat

klog_needs_a_log() {
	local rc=0
	: >"$d/empty"
	( set -euo pipefail; klog_check "$d/empty" ) 2>/dev/null || rc=$?
	[ "$rc" -eq 2 ]
	rc=0
	( set -euo pipefail; klog_check "$d/none" ) 2>/dev/null || rc=$?
	[ "$rc" -eq 2 ]
	printf '[    0.0] Linux version 6.1\n[    1.0] vsock_cidreg: version 0.1.0 loaded\n' >"$d/clean"
	( set -euo pipefail; klog_check "$d/clean" )
}
tap a_missing_or_empty_kernel_log_is_no_evidence klog_needs_a_log

# A test function fails on its first failing command, not only its last.
tap_of_a_failing_middle() {
	mkdir -p "$d/sub"
	bash -c '. "$1"; d=$2; middle_fails() { false; true; }
		tap inner middle_fails >/dev/null; [ "$fails" -eq 1 ]' \
		sh "$repo/selftests/lib/tap.sh" "$d/sub"
}
tap tap_fails_a_function_whose_middle_command_fails tap_of_a_failing_middle

# vmtest.sh counts a VM's log as clean on status 0 alone.
vmtest_counts_only_status_0() {
	grep -q 'if \[ "${rcs\[$i\]}" -eq 0 \]; then' "$repo/selftests/vm/vmtest.sh"
	! grep -q 'rc" -eq 126 \] || \[ "$rc" -eq 124' "$repo/selftests/vm/vmtest.sh"
}
tap vmtest_counts_a_clean_log_on_status_0_alone vmtest_counts_only_status_0

# The manifest (selftests/tests) is the one place that says what runs
# where: each kernel's list is what the old rules gave (the real clients
# on 6.12 only in make check-kernels), and each test's file has its row.
manifest_gives_each_kernel_its_tests() {
	local s="env CIDREG_LONG=0 $repo/selftests/vm/suite.sh" progs
	progs="module_test hooks_test registry_test enforce_test guestsim_test netlink_test vsock_netns_test"
	[ "$($s tests distro)" = "$progs stress_test fuzz_test cidctl_test.sh docs_test.py libvirt_test.sh stacks_test.sh" ]
	[ "$(CIDREG_LONG=1 "$repo/selftests/vm/suite.sh" tests distro)" = "$progs stress_test fuzz_test cidctl_test.sh docs_test.py ynl_cli_test.sh libvirt_test.sh stacks_test.sh bench_smoke_test.sh" ]
	[ "$($s tests 6.12)" = "$progs fuzz_test" ]
	[ "$(CIDREG_LONG=1 "$repo/selftests/vm/suite.sh" tests 6.12)" = "$progs stress_test fuzz_test libvirt_test.sh stacks_test.sh" ]
	[ "$($s tests 7.3)" = "$progs vsock_localns_test fuzz_test vsock_upstream_test.sh" ]
	[ "$(CIDREG_LONG=1 "$repo/selftests/vm/suite.sh" tests 7.3)" = "$progs vsock_localns_test stress_test fuzz_test vsock_upstream_test.sh libvirt_test.sh stacks_test.sh kubevirt_local_test.sh" ]
	[ "$($s tests debug)" = "${progs/enforce_test guestsim_test /} fault_test fuzz_test" ]
	[ "$(CIDREG_LONG=1 "$repo/selftests/vm/suite.sh" tests debug)" = "$progs fault_test stress_test fuzz_test" ]
	[ "$($s tests debug-7.3)" = "${progs/enforce_test guestsim_test /} vsock_localns_test fault_test fuzz_test vsock_upstream_test.sh" ]
	[ "$($s tests 6.12-arm64)" = "$progs fuzz_test" ]
	[ "$(CIDREG_LONG=1 "$repo/selftests/vm/suite.sh" tests 6.12-arm64)" = "$progs stress_test fuzz_test" ]
	[ "$($s kernels check)" = "distro debug 6.12 7.3" ]
	[ "$($s limit deb_test.sh)" = 2400 ]
}
tap the_manifest_gives_each_kernel_its_tests manifest_gives_each_kernel_its_tests

every_test_file_has_its_row() {
	local f t rows
	rows=" $(awk '!/^#/ && NF >= 5 { print $1 }' "$repo/selftests/tests" | paste -sd' ') "
	for f in "$repo"/selftests/*_test.c "$repo"/selftests/*_test.sh \
		"$repo"/selftests/*_test.py "$repo"/selftests/host/*_test.sh; do
		t=${f##*/}
		t=${t%.c}
		[[ $rows == *" $t "* ]] || { echo "# $f has no row in selftests/tests"; return 1; }
	done
	for t in $rows; do
		ls "$repo/selftests/$t" "$repo/selftests/$t.c" "$repo/selftests/host/$t" \
			"$repo/selftests/host/$t.c" 2>/dev/null | grep -q . ||
			{ echo "# row $t has no file"; return 1; }
	done
}
tap every_test_file_has_its_row_and_every_row_its_file every_test_file_has_its_row

results_need_every_file() {
	local r=$repo/scripts/results.py
	frame a 0 $'1..1\nok 1 x' >"$d/one.tap"
	"$r" tap "$d/one.tap" --label one --expect a >"$d/one.json"
	"$r" total "$d/one.json" | tail -n1 | grep -qx '1 passed, 0 failed'
	! "$r" total "$d/one.json" "$d/missing.json" >"$d/total"
	tail -n1 "$d/total" | grep -qx '1 passed, 1 failed'
	echo '{"label": "x"' >"$d/bad.json"
	! "$r" total "$d/bad.json"
}
tap a_missing_or_broken_result_file_fails_the_total results_need_every_file

# Two runs of one kernel at once (make check beside make stress): neither
# breaks the other; the second takes its own run directory and says so.
# The first runs from a clone below a directory the guest covers with
# tmpfs (CI may clone to /tmp or /root), which is still the guest's
# working directory: the build stays where it is, so the module is not
# rebuilt for the other path. The link is relative, so that it resolves
# below the initramfs's mount of the root too. (One VM boot for both.)
ln -s "$(realpath --relative-to="$d" "$repo")" "$d/repo"
two_runs_of_one_kernel() {
	CIDREG_BUILD=$(cd "$repo" && pwd -P)/build "$d/repo/selftests/vm/vmrun.sh" \
		-s -twin -t 180 -- sh -c \
		'if [ "$(pwd)" = "$1" ] && [ -f selftests/vm/vmrun.sh ]; then echo below; fi
		sleep 5; echo one' sh "$d/repo" >"$d/twin1.out" 2>"$d/twin1.err" &
	local p=$!
	sleep 1
	"$repo/selftests/vm/vmrun.sh" -s -twin -t 180 -- sh -c 'echo two' \
		>"$d/twin2.out" 2>"$d/twin2.err"
	wait "$p"
	cat "$d"/twin*.err
	grep -qx one "$d/twin1.out" && grep -qx two "$d/twin2.out"
	cat "$d"/twin*.err | grep -q "build/distro/run-twin is another run's: using build/distro/run-twin-[0-9]*$"
}
tap two_runs_of_one_kernel_at_once_both_pass two_runs_of_one_kernel
tap a_repository_below_tmp_is_the_guests_workdir grep -qx below "$d/twin1.out"

# A host whose KVM runs no guest (selftests/host/stalling-qemu): the
# stopped VM that fooled the old probe, then both ways out of it.
mkdir -p "$d/bin"
ln -s "$repo/selftests/host/stalling-qemu" "$d/bin/qemu-system-x86_64"
: >"$d/kvm"
stalling_qemu_fools_a_stopped_vm_probe() {
	echo quit | PATH=$d/bin:$PATH timeout 20 qemu-system-x86_64 -accel kvm \
		-cpu host -S -nodefaults -display none -monitor stdio
}
tap a_stopped_kvm_vm_starts_and_quits_on_the_stand_in \
	stalling_qemu_fools_a_stopped_vm_probe

probe_boots_a_guest_then_uses_tcg() {
	local s e
	s=$(date +%s)
	PATH=$d/bin:$PATH CIDREG_KVM_DEV=$d/kvm CIDREG_KVM_PROBE_SECONDS=4 \
		CIDREG_ACCEL= "$repo/selftests/vm/vmrun.sh" -s -harness -t 120 -- true \
		2>"$d/probe.err"
	e=$(( $(date +%s) - s ))
	cat "$d/probe.err"
	grep -qx "vmrun: KVM probed and not used: a guest under KVM printed nothing in 4s; using TCG (CIDREG_ACCEL=kvm forces KVM)" "$d/probe.err"
	grep -q '^vmrun: booting distro kernel .* (tcg)' "$d/probe.err"
	! grep -q '(kvm)' "$d/probe.err"
	# A second run keeps the verdict: no probe, no second line about it.
	PATH=$d/bin:$PATH CIDREG_KVM_DEV=$d/kvm CIDREG_ACCEL= \
		"$repo/selftests/vm/vmrun.sh" -s -harness -t 120 -- true 2>"$d/probe2.err"
	! grep -q 'KVM probed' "$d/probe2.err"
	grep -q '^vmrun: booting distro kernel .* (tcg)' "$d/probe2.err"
	echo "# probe and boot: ${e}s"
}
tap the_probe_boots_a_guest_and_falls_back_to_tcg probe_boots_a_guest_then_uses_tcg

vm_silent_under_kvm_boots_again_under_tcg() {
	PATH=$d/bin:$PATH CIDREG_KVM_DEV=$d/kvm CIDREG_KVM_FIRST_LINE_SECONDS=4 \
		CIDREG_ACCEL=kvm "$repo/selftests/vm/vmrun.sh" -s -harness -t 120 -- \
		sh -c 'echo booted-under-tcg' >"$d/vm.out" 2>"$d/vm.err"
	cat "$d/vm.err" "$d/vm.out"
	grep -q '^vmrun: booting distro kernel .* (kvm)' "$d/vm.err"
	grep -q '^vmrun: the distro kernel printed no line under KVM in [0-9]*s (QEMU status [0-9]*): booting it again under TCG, once$' "$d/vm.err"
	[ "$(grep -c '^vmrun: booting distro kernel' "$d/vm.err")" -eq 2 ]
	grep -q '^vmrun: distro kernel: VM ran [0-9]*s (tcg)$' "$d/vm.err"
	grep -qx booted-under-tcg "$d/vm.out"
}
tap a_vm_silent_under_kvm_boots_again_under_tcg vm_silent_under_kvm_boots_again_under_tcg

[ "$fails" -eq 0 ]
