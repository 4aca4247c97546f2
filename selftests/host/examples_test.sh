#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side: the C examples of Documentation/examples compile (the uapi
# ones with only the uapi header), and the uapi header builds as C++.
# Prints TAP.
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
[ -d "$repo/Documentation/examples" ] || repo=${CIDREG_REPO:?}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
n=0
echo "TAP version 13"
set -- "$repo"/Documentation/examples/*.c
echo "1..$(($# + 1))"
for f in "$@"; do
	n=$((n + 1))
	# The uapi examples need only the uapi header; the others, libcidreg's.
	if cc -Wall -Wextra -Werror -I"$repo/include/uapi" -I"$repo/tools/lib" \
		$(pkg-config --cflags libnl-genl-3.0) -c -o "$d/x.o" "$f" 2>"$d/err"; then
		echo "ok $n example_$(basename "$f" .c)_builds"
	else
		echo "not ok $n example_$(basename "$f" .c)_builds"
		sed 's/^/#   /' "$d/err"
	fi
done
n=$((n + 1))
printf '#include <linux/vsock_cidreg.h>\nint main() { return sizeof(vsock_cidreg_entry) != VSOCK_CIDREG_ENTRY_SIZE_VER0; }\n' >"$d/h.cc"
if c++ -Wall -Werror -I"$repo/include/uapi" -o "$d/h" "$d/h.cc" 2>"$d/err" && "$d/h"; then
	echo "ok $n uapi_header_builds_as_cxx"
else
	echo "not ok $n uapi_header_builds_as_cxx"
	sed 's/^/#   /' "$d/err"
fi
