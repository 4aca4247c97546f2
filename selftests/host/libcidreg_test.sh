#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side: libcidreg's ABI, its man pages and its licence; cidctl's
# completion. Needs the built tools (build/tools). Prints TAP.
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
[ -d "$repo/tools/lib" ] || repo=${CIDREG_REPO:?}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
# shellcheck source=../lib/tap.sh
. "$repo/selftests/lib/tap.sh"
so=$(ls "$repo"/build/tools/libcidreg.so.*.* 2>/dev/null | head -n1)

# The functions cidreg.h declares.
declared() {
	sed -n 's/^[a-z].*[ *]\(cidreg_[a-z_]*\)(.*/\1/p' "$repo/tools/lib/cidreg.h" | sort -u
}

exports_exactly_the_header() {
	[ -n "$so" ] || { echo "no build/tools/libcidreg.so: run make tools"; return 1; }
	objdump -T "$so" | awk '$2 == "g" && $4 != "*UND*" { print $6, $7 }' >"$d/t"
	# Every export carries a version of the map, and is a declared
	# function; older versions of one, "(LIBCIDREG_0)", are compat.c's.
	! grep -Ev '^\(?LIBCIDREG_0(\.[0-9]+)?\)? ' "$d/t" || return 1
	awk '$1 ~ /^LIBCIDREG_0/ && $2 !~ /^LIBCIDREG_0/ { print $2 }' "$d/t" | sort >"$d/exported"
	declared >"$d/declared"
	diff -u "$d/declared" "$d/exported" || return 1
	# Each function whose structs changed has today's version and the
	# one old binaries were linked with.
	awk '$1 ~ /^\(/ { print $2 }' "$d/t" | sort >"$d/old"
	[ "$(wc -l <"$d/old")" = 13 ] || { echo "old versions:"; cat "$d/old"; return 1; }
}

# A binary built against LIBCIDREG_0.2 (selftests/abi/) runs against
# today's library and finds the settings where its structs have them
# (cidctl_test.sh runs the rest of it against the module, in the VM).
old_binaries_still_run() {
	local c=$repo/build/selftests/client-0.2
	objdump -T "$c" | grep -q '(LIBCIDREG_0.2) *cidreg_setting_parse$' ||
		{ echo "$c is not linked against LIBCIDREG_0.2"; return 1; }
	LD_LIBRARY_PATH=$repo/build/tools "$c" settings
}

every_function_has_a_man_page() {
	local f ok=0
	for f in $(declared); do
		[ -f "$repo/Documentation/man3/$f.3" ] || { echo "no Documentation/man3/$f.3"; ok=1; }
		grep -q "\\\\fB$f\\\\fP\|^\.BI \"[^\"]*$f(\|$f(" "$repo/Documentation/libcidreg.3" ||
			{ echo "libcidreg.3 does not name $f"; ok=1; }
	done
	return $ok
}

man_pages_lint_clean() {
	local f t out ok=0
	for f in "$repo"/Documentation/*.[38] "$repo"/Documentation/man3/*.3; do
		if grep -q '^\.so ' "$f"; then
			t=$(sed -n 's/^\.so man3\///p' "$f")
			[ -f "$repo/Documentation/man3/$t" ] || { echo "$f: .so to a missing $t"; ok=1; }
			continue
		fi
		out=$(mandoc -Tlint -W warning "$f" 2>&1; groff -ww -man -Tutf8 -z "$f" 2>&1)
		[ -z "$out" ] || { echo "$out"; ok=1; }
	done
	return $ok
}

# One licence for the library, said alike everywhere.
licence_said_alike() {
	local f ok=0
	for f in "$repo"/tools/lib/* "$repo"/Documentation/libcidreg.3 "$repo"/Documentation/man3/*.3; do
		grep -q '^\.so ' "$f" && continue
		head -n 2 "$f" | grep -q 'SPDX-License-Identifier: LGPL-2.1-or-later' ||
			{ echo "$f: not LGPL-2.1-or-later"; ok=1; }
	done
	grep -q 'libcidreg.*LGPL-2.1-or-later\|LGPL-2.1-or-later.*libnl' "$repo/README.md" ||
		{ echo "README.md does not give the library's licence"; ok=1; }
	grep -q 'LGPL' "$repo/Documentation/libcidreg.3" || { echo "libcidreg.3 has no LICENSE"; ok=1; }
	return $ok
}

complete_line() { # LINE: what completion offers at its end, as bash runs it
	bash -c 'source "$1"; COMP_LINE=$2; COMP_POINT=${#2}
		read -ra COMP_WORDS <<<"$2"; COMP_WORDS[0]=$3; _cidctl
		echo "${COMPREPLY[*]}"' \
		x "$repo/tools/cidctl/cidctl.bash-completion" "$1" "$repo/build/tools/cidctl"
}

completion_completes() {
	shellcheck -s bash "$repo/tools/cidctl/cidctl.bash-completion" &&
		[ "$(complete_line 'cidctl res')" = reserve ] &&
		[ "$(complete_line 'cidctl -j reserve --pe')" = --persistent ] &&
		[ "$(complete_line 'cidctl config mode e')" = enforce ] &&
		[ "$(complete_line 'cidctl help tr')" = "transfer trust" ] &&
		[ "$(complete_line 'cidctl --ve')" = --version ] &&
		[ "$(complete_line 'cidctl ap')" = apply ] &&
		[ "$(complete_line 'cidctl stats --format p')" = prometheus ] &&
		[ "$(complete_line 'cidctl stats --format=p')" = prometheus ] &&
		[ "$(complete_line 'cidctl -b /etc/hostname ')" = "" ] &&
		[ "$(complete_line 'cidctl apply /etc/hostn')" = /etc/hostname ]
}

# This host has no vsock_cidreg for its kernel (modules are loaded in VMs
# only): status says so, and how to install it, with exit status 3.
status_tells_not_installed() {
	if modinfo vsock_cidreg >/dev/null 2>&1; then
		echo "vsock_cidreg is installed on this host: this test needs a host without it"
		return 1
	fi
	local rc=0
	"$repo/build/tools/cidctl" status >"$d/s" || rc=$?
	cat "$d/s"
	[ "$rc" = 3 ] && grep -q '^module:   vsock_cidreg not installed$' "$d/s" &&
		grep -q '^install it for this kernel' "$d/s" &&
		"$repo/build/tools/cidctl" -j status | grep -q '"installed":false,"loaded":false'
}

echo "TAP version 13"
echo "1..7"
tap libcidreg_exports_exactly_what_cidreg_h_declares exports_exactly_the_header
tap binaries_built_against_libcidreg_0_2_still_run old_binaries_still_run
tap every_function_has_a_man_page every_function_has_a_man_page
tap man_pages_lint_clean man_pages_lint_clean
tap libcidreg_licence_is_said_alike licence_said_alike
tap bash_completion_completes completion_completes
tap cidctl_status_tells_not_installed_from_not_loaded status_tells_not_installed
exit $((fails > 0))
