#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: the Debian packages, built as a distribution builds them: from
# a clean copy of the committed tree (git archive of HEAD, or with
# --worktree the files git tracks as they are now), with dpkg-buildpackage
# (source and binaries, unsigned), then lintian, which must report no
# error and no warning. The packages land in build/deb.
set -euo pipefail
cd "$(dirname "$0")/.."
name=vsock-cidreg
version=$(cat VERSION)
out=$PWD/build/deb
src=$out/$name-$version

die() { echo "deb: $*" >&2; exit 1; }

for t in dpkg-buildpackage dh dh_dkms lintian fakeroot; do
	command -v $t >/dev/null || die "$t not found: run scripts/deps.sh"
done
[ "$(dpkg-parsechangelog -S Version)" = "$version" ] ||
	die "debian/changelog's version is not VERSION ($version): add a changelog entry (dch -v $version)"
git rev-parse --git-dir >/dev/null 2>&1 ||
	die "not a git checkout: make deb packages what git tracks"

rm -rf "$out" && mkdir -p "$src"
if [ "${1:-}" = --worktree ]; then
	git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$src"
else
	git archive HEAD | tar -xf - -C "$src"
fi
(cd "$src" && dpkg-buildpackage -us -uc -sa >"$out/build.log" 2>&1) ||
	{ tail -n 40 "$out/build.log"; die "dpkg-buildpackage failed: $out/build.log"; }
changes=$(ls "$out"/*.changes)
lintian --fail-on error,warning \
	"$changes" | tee "$out/lintian.log" || die "lintian found errors or warnings: $out/lintian.log"
ls "$out"/*.deb
