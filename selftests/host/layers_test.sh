#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side: the module's layers and the family's spec.
# - kernel/ has no circle: neither among its headers' includes nor among
#   the objects' calls and references (nm of the built objects);
# - every "Under LOCK" of kernel/ is asserted by lockdep_assert_held(&LOCK)
#   in the function it describes;
# - the spec validates against the kernel's genetlink-legacy schema, and
#   the files generated from it are current (scripts/ynl-regen.sh --check).
# Prints TAP.
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
[ -d "$repo/kernel" ] || repo=${CIDREG_REPO:?}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
# shellcheck source=../lib/tap.sh
. "$repo/selftests/lib/tap.sh"
echo "TAP version 13"
echo "1..4"

graph_py='
import sys
from collections import defaultdict
edges = defaultdict(set)
for line in sys.stdin:
    a, b = line.split()
    if a != b:
        edges[a].add(b)
state, path = {}, []
def visit(n):
    state[n] = 1
    path.append(n)
    for m in sorted(edges[n]):
        if state.get(m) == 1:
            print("circle: " + " -> ".join(path[path.index(m):] + [m]))
            sys.exit(1)
        if not state.get(m):
            visit(m)
    path.pop()
    state[n] = 2
for n in sorted(list(edges)):
    if not state.get(n):
        visit(n)
print("%d files, %d edges, no circle" % (len(edges), sum(map(len, edges.values()))))
'

includes() { # FILE -> FILE lines for the quoted includes of kernel/
	local f h
	for f in "$repo"/kernel/*.[ch]; do
		case $f in *.mod.c) continue ;; esac
		for h in $(sed -n 's/^#include "\([a-z_]*\)\.h"$/\1/p' "$f"); do
			[ "$h" != compat ] || continue
			echo "$(basename "${f%.*}") $h"
		done
	done
}

calls() { # OBJECT -> OBJECT lines: who uses a symbol whom defines
	local o s
	for o in "$repo"/kernel/*.o; do
		case $o in *.mod.o | */vsock_cidreg.o) continue ;; esac
		nm --defined-only -g "$o" | awk -v f="$(basename "$o" .o)" '{ print $3, f }'
	done | sort >"$d/defs"
	for o in "$repo"/kernel/*.o; do
		case $o in *.mod.o | */vsock_cidreg.o) continue ;; esac
		for s in $(nm -u "$o" | awk '{ print $2 }'); do
			awk -v s="$s" -v f="$(basename "$o" .o)" '$1 == s { print f, $2 }' "$d/defs"
		done
	done
}

no_include_circle() {
	includes | /usr/bin/python3 -c "$graph_py"
}

no_call_circle() {
	ls "$repo"/kernel/registry.o >/dev/null || return 1
	calls | /usr/bin/python3 -c "$graph_py"
}

# A comment saying "Under LOCK" before a function, or on the line before
# its signature, and the function's body.
locks_asserted() {
	/usr/bin/python3 - "$repo"/kernel/*.c <<'PY'
import re, sys
bad = 0
for path in sys.argv[1:]:
    text = open(path).read()
    for m in re.finditer(r'/\*(?:(?!\*/).)*?Under (cidreg_\w+)(?:\(\))?\.(?:(?!\*/).)*\*/\n((?:static )?[^\n;]*\([^;{]*\)\n\{\n(?:.*\n)*?\}\n)', text, re.S):
        lock, body = m.group(1), m.group(2)
        if lock.endswith('_lock') and 'lockdep_assert_held(&%s)' % lock not in body:
            print('%s: "Under %s" not asserted in: %s' % (path, lock, body.split('\n')[0]))
            bad = 1
        n = len(re.findall('Under', m.group(0)))
print('checked')
sys.exit(bad)
PY
}

tap kernel_includes_have_no_circle no_include_circle
tap kernel_objects_have_no_circle no_call_circle
tap every_under_lock_is_asserted locks_asserted
tap spec_validates_and_generated_files_are_current "$repo/scripts/ynl-regen.sh" --check
exit $((fails > 0))
