# SPDX-License-Identifier: GPL-2.0
#
# Count the results of run_tests.sh output (kselftest TAP, framed by
# "# selftest: NAME" and "# selftest-exit: NAME RC").
#
#   awk -v expect="a_test b_test" -v label=distro -f tap-summary.awk LOG
#
# A skipped test counts as failed (tests never pass by skipping); so do the
# tests a program planned but never reported, a program that reports no
# result at all (1..0 included), a program that exits non-zero with no
# failure of its own, an expected program that never ran, and a run that
# expected no program.
# Prints the failures and "LABEL: N passed, N failed".

function close_prog(   missing) {
	if (prog == "")
		return
	missing = plan - seen
	if (!done) {
		print label ": " prog ": did not finish (crash or time-out)"
		if (missing < 1)
			missing = 1
	}
	if (missing > 0) {
		print label ": " prog ": " missing " planned test(s) never reported"
		failed += missing
	} else if (seen == 0) {
		print label ": " prog ": reported no result"
		failed++
	} else if (done && rc != 0 && progfail == 0) {
		print label ": " prog ": exited " rc " with no failed test"
		failed++
	}
	prog = ""
}

/^# selftest: / {
	close_prog()
	prog = $3; plan = 0; seen = 0; done = 0; rc = 0; progfail = 0
	ran[prog] = 1
	next
}
/^# selftest-exit: / { rc = $4; done = 1; close_prog(); next }
prog != "" && /^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
prog != "" && /^(not )?ok [0-9]+ / {
	seen++
	if ($1 == "ok" && $0 !~ /# [Ss][Kk][Ii][Pp]/) {
		passed++
	} else {
		failed++
		progfail++
		print label ": " prog ": " $0
	}
}
END {
	close_prog()
	n = split(expect, want, " ")
	if (n == 0) {
		print label ": no test was expected: an empty list proves nothing"
		failed++
	}
	for (i = 1; i <= n; i++) {
		if (!(want[i] in ran)) {
			print label ": " want[i] ": never ran"
			failed++
		}
	}
	printf "%s: %d passed, %d failed\n", label, passed, failed
}
