#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Put the support matrix of the last `make check-kernels` (build/check/
# matrix.md, written by scripts/check.sh) into README.md, between its
# "support matrix" markers.
set -euo pipefail
cd "$(dirname "$0")/.."
m=build/check/matrix.md
[ -s "$m" ] || { echo "matrix: no $m: run make check-kernels" >&2; exit 1; }
grep -q '^<!-- support matrix: begin' README.md &&
	grep -q '^<!-- support matrix: end' README.md ||
	{ echo "matrix: README.md has no support matrix markers" >&2; exit 1; }
awk -v m="$m" '
	/^<!-- support matrix: begin/ { print; while ((getline l < m) > 0) print l; skip = 1; next }
	/^<!-- support matrix: end/ { skip = 0 }
	!skip' README.md >README.md.new
mv README.md.new README.md
echo "matrix: README.md updated from $m"
