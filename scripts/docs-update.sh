#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the console examples of the given Markdown files in the VM (distro
# kernel) and write what each command printed under it, for review:
#
#   scripts/docs-update.sh FILE.md...
#
# selftests/docs_test.py, in the VM suite, then checks that they still
# print that.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: scripts/docs-update.sh FILE.md..." >&2; exit 2; }
make -s tools
out=$(mktemp)
trap 'rm -f "$out"' EXIT
selftests/vm/vmrun.sh -k distro -t 600 -- selftests/docs_test.py --update "$@" >"$out" || true
python3 - "$out" <<'PY'
import sys
path, buf = None, []
for line in open(sys.argv[1]).read().split("\n"):
    if line.startswith("@@docs-update@@ "):
        path, buf = line.split(" ", 1)[1], []
    elif line == "@@docs-update-end@@" and path:
        open(path, "w").write("\n".join(buf))
        print("docs-update: wrote", path)
        path = None
    elif path:
        buf.append(line)
    elif line.startswith(("ok ", "not ok ", "#")):
        print(line)
PY
