#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The family's spec, Documentation/netlink/specs/vsock_cidreg.yaml, is the
# one source of the names and numbers the kernel and userspace share. From
# it, with the kernel's own tools (tools/net/ynl of the newest
# linux-source-7.x of selftests/vm/kernels):
#   include/uapi/linux/vsock_cidreg_nl.h   ynl_gen_c.py --mode uapi
#   include/vsock_cidreg_names.h           scripts/ynl-names.py
#
#   scripts/ynl-regen.sh           write them
#   scripts/ynl-regen.sh --check   validate the spec against the kernel's
#                                  genetlink-legacy schema, and fail if a
#                                  committed file differs from what the
#                                  spec gives
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
prog=ynl-regen
vm_dir=$repo/selftests/vm
# shellcheck source=../selftests/vm/lib.sh
. "$vm_dir/lib.sh"
check=
[ "${1:-}" != --check ] || check=1
py=/usr/bin/python3
spec=Documentation/netlink/specs/vsock_cidreg.yaml

src=$(upstream_tree)
ynl=$src/tools/net/ynl/pyynl
[ -f "$ynl/ynl_gen_c.py" ] || die "$src has no tools/net/ynl/pyynl/ynl_gen_c.py"

# ynl_gen_c.py finds the schema beside the spec's folder and the tree's
# root by its MAINTAINERS file: a tree of our own spec and the kernel's
# schema, so that the header names the spec by its path here.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/Documentation/netlink/specs" "$t/out"
cp "$src/Documentation/netlink/genetlink-legacy.yaml" "$t/Documentation/netlink/"
cp "$repo/$spec" "$t/$spec"
touch "$t/MAINTAINERS"

"$py" "$ynl/cli.py" --spec "$t/$spec" --validate ||
	die "$spec does not validate against the kernel's genetlink-legacy schema"
"$py" "$ynl/ynl_gen_c.py" --mode uapi --header --spec "$t/$spec" \
	-o "$t/out/vsock_cidreg_nl.h"
sed -i 's|^/\* To regenerate run: tools/net/ynl/ynl-regen.sh \*/$|/* To regenerate run: scripts/ynl-regen.sh */|' \
	"$t/out/vsock_cidreg_nl.h"
"$py" "$repo/scripts/ynl-names.py" "$t/$spec" "$t/out/vsock_cidreg_names.h"

stale=0
for f in include/uapi/linux/vsock_cidreg_nl.h include/vsock_cidreg_names.h; do
	new=$t/out/$(basename "$f")
	if [ -z "$check" ]; then
		cp "$new" "$repo/$f"
		echo "$prog: wrote $f"
	elif ! diff -u "$repo/$f" "$new"; then
		echo "$prog: $f is stale: run scripts/ynl-regen.sh and commit it" >&2
		stale=1
	fi
done
exit $stale
