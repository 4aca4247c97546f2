#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What selftests/tests and selftests/vm/kernels say, for make and the
# scripts that are not written in bash:
#
#   suite.sh tests KERNEL|host   the tests KERNEL runs (or the host tests)
#   suite.sh kernels TAG         the kernels with TAG (check: make check's)
#   suite.sh weight|limit TEST   a test's figure
set -euo pipefail
prog=suite
. "$(dirname "$0")/lib.sh"
case ${1:-}:$# in
tests:2) suite_tests "$2" | paste -sd' ' ;;
kernels:2) kernels_tagged "$2" | paste -sd' ' ;;
weight:2 | limit:2) test_field "$2" "$1" || die "$2 is not in selftests/tests" ;;
*) die "usage: suite.sh tests KERNEL|host | kernels TAG | weight|limit TEST" ;;
esac
