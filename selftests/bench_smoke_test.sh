#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench still works: its smoke run (small counts) in the VM measures
# every figure, and its JSON holds them all. Asserts no figure's value:
# timing belongs in make bench. Prints TAP.
repo=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
[ -x "$repo/build/selftests/cidreg_bench" ] || repo=$(cd "$repo/.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
# shellcheck source=lib/tap.sh
. "$repo/selftests/lib/tap.sh"

# Every figure of cidreg_bench's groups (the events group brought 3).
figures=20

ran() {
	"$repo/build/selftests/cidreg_bench" -s -o - -c "$repo/build/tools/cidctl" >"$d/bench"
	cat "$d/bench"
	grep -qx "cidreg_bench: $figures figures" "$d/bench"
}

json_has_every_figure() {
	sed -n '/^BENCH-JSON$/,$p' "$d/bench" | sed 1d | python3 -c '
import json, sys
rows = json.load(sys.stdin)
assert len(rows) == int(sys.argv[1]), len(rows)
for r in rows:
    assert r["a"]["reps"] >= 1 and r["a"]["count"] >= 1, r
    assert ("ratio" in r) == ("b" in r), r
    assert r["command"].startswith("cidreg_bench -s -f ") and r["kernel"], r
' "$figures"
}

left_nothing() {
	[ ! -e /sys/module/vsock_cidreg ]
}

echo "TAP version 13"
echo "1..3"
tap bench_smoke_run_measures_every_figure ran
tap its_json_holds_every_figure json_has_every_figure
tap it_leaves_the_module_unloaded left_nothing
exit $((fails > 0))
