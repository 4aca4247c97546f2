# SPDX-License-Identifier: GPL-2.0
#
# Shared by vmrun.sh and the Makefile: which kernel to boot, and building
# and staging our module for it. Sourced, not run.

vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$vm_dir/../.." && pwd)
build_root=${CIDREG_BUILD:-$repo/build}

# What in a kernel log fails a run: BUG, WARNING, Oops, KASAN, UBSAN,
# lockdep, kmemleak and panics.
splat_re='BUG:|WARNING:|Oops|KASAN|UBSAN|possible .*locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|kmemleak: .*suspected memory leak|general protection fault|Kernel panic|Call Trace:'

die() { echo "${prog:-vm}: $*" >&2; exit 1; }

# klog_check KLOG: 0 when KLOG is the log of a booted kernel and shows no
# splat; 1 when it shows one (the first 60 lines of it go to stderr);
# 2 when it cannot be read or is no kernel's log. Green needs this 0:
# safe under `set -euo pipefail` whatever the size of the splat.
klog_check() {
	local found
	[ -s "$1" ] && grep -q 'Linux version' "$1" || return 2
	found=$(grep -c -E "$splat_re" "$1") || true
	[ "${found:-0}" -eq 0 ] && return 0
	grep -E -A12 "$splat_re" "$1" 2>/dev/null | sed -n 1,60p >&2 || true
	return 1
}

# cache_dir: where downloads and built kernels are kept between runs;
# never below the repository, whose `make clean` deletes objects and
# modules recursively. Without a home (a bare CI runner), /var/cache.
cache_dir() {
	if [ -n "${CIDREG_CACHE:-}" ]; then
		echo "$CIDREG_CACHE"
	elif [ -n "${XDG_CACHE_HOME:-}" ] || [ -n "${HOME:-}" ]; then
		echo "${XDG_CACHE_HOME:-$HOME/.cache}/vsock-cidreg"
	else
		echo /var/cache/vsock-cidreg
	fi
}

# kernel_names: the names of selftests/vm/kernels, in its order.
kernel_names() {
	awk '!/^#/ && NF { print $1 }' "$vm_dir/kernels"
}

# kernel_row NAME: set KT_ARCH, KT_SOURCE, KT_WHAT, KT_CONFIG (the
# fragments of a built kernel, or empty) and KT_TAGS (comma-separated, or
# empty) from selftests/vm/kernels.
kernel_row() {
	local row
	row=$(awk -v n="$1" '!/^#/ && $1 == n { print $2, $3, $4, $5, $6 }' "$vm_dir/kernels")
	[ -n "$row" ] ||
		die "unknown kernel '$1': use one of $(kernel_names | paste -sd' ') (selftests/vm/kernels)"
	read -r KT_ARCH KT_SOURCE KT_WHAT KT_CONFIG KT_TAGS <<<"$row"
	[ -n "$KT_TAGS" ] ||
		die "kernel '$1' has no TAGS column (\"-\" for none) in selftests/vm/kernels"
	[ "$KT_CONFIG" != - ] || KT_CONFIG=
	[ "$KT_TAGS" != - ] || KT_TAGS=
	case $KT_WHAT in
	linux-source-*)
		[ -n "$KT_CONFIG" ] ||
			die "kernel '$1' is built from $KT_WHAT but names no config fragment (selftests/vm/kernels)" ;;
	esac
}

# kernel_tags NAME: the tags of a kernel, one per line: its row's, its
# architecture, and what an amd64 guest has by running the host's own
# userland over 9p (an arm64 guest runs fetch-root.sh's, which has
# neither Python nor libvirt nor a QEMU of the host's architecture);
# and long in the runs of make check-kernels (CIDREG_LONG=1).
kernel_tags() {
	kernel_row "$1"
	{
		tr , '\n' <<<"$KT_TAGS"
		echo "$KT_ARCH"
		[ "$KT_ARCH" != amd64 ] || printf '%s\n' userland libvirt nested-qemu
		[ "${CIDREG_LONG:-0}" != 1 ] || echo long
	} | grep .
}

# kernels_tagged TAG: the names of the kernels with TAG, in file order.
kernels_tagged() {
	local k
	for k in $(kernel_names); do
		kernel_tags "$k" | grep -qx "$1" && echo "$k"
	done
	return 0
}

# The manifest: selftests/tests.
manifest=$repo/selftests/tests
manifest_rows() { awk '!/^#/ && NF >= 5' "$manifest"; }

# suite_tests KERNEL: the tests of the VM suite that KERNEL runs, in the
# manifest's order: its KERNELS terms all hold and it has every NEED.
# suite_tests host: the host tests.
suite_tests() {
	local tags
	if [ "$1" = host ]; then
		manifest_rows | awk '$4 == "host" { print $1 }'
		return
	fi
	tags=$(kernel_tags "$1" | paste -sd' ') || exit 1
	manifest_rows | awk -v tags=" $tags " '
		function has(t) { return index(tags, " " t " ") > 0 }
		$4 == "host" { next }
		{
			ok = 1
			if ($4 != "all") {
				n = split($4, terms, ",")
				for (i = 1; i <= n; i++) {
					m = split(terms[i], alts, "|")
					any = 0
					for (j = 1; j <= m; j++) {
						a = alts[j]
						if (a ~ /^!/ ? !has(substr(a, 2)) : has(a))
							any = 1
					}
					if (!any) ok = 0
				}
			}
			if ($5 != "-") {
				n = split($5, needs, ",")
				for (i = 1; i <= n; i++) if (!has(needs[i])) ok = 0
			}
			if (ok) print $1
		}'
}

# test_field TEST weight|limit: a test's figure from the manifest.
test_field() {
	manifest_rows | awk -v t="$1" -v f="$2" '
		$1 == t { print (f == "weight" ? $2 : $3); found = 1 }
		END { exit !found }'
}

# fetch_args USAGE OPTSTRING ARGS...: the command line of the fetch
# scripts, "[-u] [-X...] ONE": sets refresh (1 with -u), opt_X (1 with -X,
# for each other letter X of OPTSTRING) and arg.
fetch_args() {
	local usage=$1 optstr=$2 opt OPTIND=1
	shift 2
	refresh=0
	while getopts "$optstr" opt; do
		case $opt in
		u) refresh=1 ;;
		[a-z]) printf -v "opt_$opt" 1 ;;
		*) die "usage: $usage" ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -eq 1 ] || die "usage: $usage"
	arg=$1
}

# cached_ok DIR: DIR is complete (.done is written last) and its packages
# still match the checksums taken from the archive's index; it dies if
# they do not, rather than let a changed package through.
cached_ok() {
	[ -f "$1/.done" ] || return 1
	(cd "$1/debs" && sha256sum --quiet -c ../SHA256SUMS) >/dev/null 2>&1 ||
		die "$1: cached packages do not match their checksums: remove $1 and run again"
}

# private_apt ARCH SUITES REFRESH: set apt (its directory under the cache)
# and aptopts (apt-get's options) for a private apt configuration reading
# the comma-separated Debian SUITES for ARCH (and the host's architecture,
# for the host's build of a foreign kernel's linux-kbuild): its own sources
# list, lists, archives and an empty dpkg status; nothing of the machine's
# apt changes. The lists are read once, or again when REFRESH is 1.
private_apt() {
	local arch=$1 source=$2 refresh=$3 main_uri sec_uri archs s uri
	local -a suites
	# The mirrors the host uses, so nothing here names one: the main
	# archive, and the security archive for *-security suites.
	host_uri() { # PATTERN: the URI of the host's source whose suites match
		apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
			awk -v re="$1" '$2 ~ re && !n++ { print $1 }'
	}
	main_uri=$(host_uri '^bookworm$|^bookworm-updates$|^trixie$|^bullseye$')
	sec_uri=$(host_uri '-security$')
	[ -n "$main_uri" ] ||
		die "cannot tell the Debian mirror from the host's apt sources: run apt-get update"
	host_arch=$(dpkg --print-architecture)
	archs=$arch
	[ "$arch" = "$host_arch" ] || archs=$arch,$host_arch
	apt=$(cache_dir)/apt/$arch-${source//,/+}
	mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/etc"
	IFS=, read -ra suites <<<"$source"
	for s in "${suites[@]}"; do
		uri=$main_uri
		if [[ $s == *-security ]]; then
			[ -n "$sec_uri" ] || die "the host has no security source for $s"
			uri=$sec_uri
		fi
		echo "deb [arch=$archs signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $s main"
	done >"$apt/etc/sources.list"
	aptopts=(
		-o "Dir::Etc::SourceList=$apt/etc/sources.list"
		-o "Dir::Etc::SourceParts=$apt/etc/none"
		-o "Dir::State::Lists=$apt/lists"
		-o "Dir::Cache=$apt"
		-o "Dir::Cache::archives=$apt/archives"
		-o "Dir::State::status=$apt/etc/status"
		-o "APT::Architecture=$arch"
		-o "APT::Architectures=$archs"
		-o "Debug::NoLocking=1"
		-q
	)
	: >"$apt/etc/status"
	if [ "$refresh" -eq 1 ] || [ ! -f "$apt/lists/.updated" ]; then
		echo "${prog:-vm}: reading the package lists of $source ($arch)" >&2
		apt-get "${aptopts[@]}" update >"$apt/update.log" 2>&1 ||
			die "apt-get update for $source failed: $(grep -m1 -E '^(E|Err):' "$apt/update.log")"
		touch "$apt/lists/.updated"
	fi
}

# debs_verify DIR: write DIR/SHA256SUMS, the archive index's checksums of
# the packages in DIR/debs (as private_apt's lists give them), and check
# the packages against it. Later runs check the cache with
# `sha256sum -c SHA256SUMS` in DIR/debs.
debs_verify() {
	local deb p v a sums
	local -a want=() files=()
	for deb in "$1"/debs/*.deb; do
		read -r p v a < <(dpkg-deb -f "$deb" Package Version Architecture |
			awk '{ print $2 }' | paste -sd' ')
		want+=("$p:$a=$v")
		files+=("$p $a $v ${deb##*/}")
	done
	# One apt-cache for them all: its records give each SHA256.
	sums=$(apt-cache "${aptopts[@]}" show "${want[@]}" 2>/dev/null |
		awk '/^Package:/ { p = $2 } /^Architecture:/ { a = $2 }
		     /^Version:/ { v = $2 } /^SHA256:/ { print p, a, v, $2 }')
	printf '%s\n' "${files[@]}" | awk -v sums="$sums" '
		BEGIN { n = split(sums, l, "\n")
			for (i = 1; i <= n; i++) { split(l[i], f, " ")
				if (!((f[1] " " f[2] " " f[3]) in s)) s[f[1] " " f[2] " " f[3]] = f[4] } }
		{ k = $1 " " $2 " " $3
		  if (!(k in s)) { print "no SHA256 for " k > "/dev/stderr"; bad = 1; next }
		  print s[k] "  " $4 }
		END { exit bad }' >"$1/SHA256SUMS" ||
		die "a package is not in the archive's index (see above)"
	(cd "$1/debs" && sha256sum --quiet -c ../SHA256SUMS) ||
		die "downloaded packages do not match the archive's index"
}

# kernel_prepare NAME: set K_NAME, K_IMAGE, K_MODROOT, K_KDIR, K_VER, K_ARCH for a
# kernel of selftests/vm/kernels: the host's installed one, a debug kernel
# (built and cached by build-debug-kernel.sh), or a Debian kernel (fetched
# and cached by fetch-kernel.sh).
kernel_prepare() {
	local out
	kernel_row "$1"
	K_NAME=$1
	K_ARCH=$KT_ARCH
	case $KT_SOURCE:$KT_WHAT in
	*:linux-source-*)
		out=$("$vm_dir/build-debug-kernel.sh" "$1") || exit 1
		K_IMAGE=$out/bzImage
		K_MODROOT=$out/modroot
		K_KDIR=$out/build
		K_VER=$(cat "$K_KDIR/include/config/kernel.release")
		;;
	installed:*)
		K_IMAGE=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n1)
		[ -n "$K_IMAGE" ] ||
			die "no /boot/vmlinuz-*-amd64: install linux-image-amd64 (scripts/deps.sh)"
		[ -r "$K_IMAGE" ] || die "$K_IMAGE is not readable: run as root"
		K_VER=${K_IMAGE#/boot/vmlinuz-}
		K_MODROOT=/
		K_KDIR=/usr/src/linux-headers-$K_VER
		[ -f "$K_KDIR/Makefile" ] ||
			die "no headers for $K_VER in $K_KDIR: install linux-headers-$K_VER"
		;;
	*)
		out=$("$vm_dir/fetch-kernel.sh" "$1") || exit 1
		K_IMAGE=$out/image
		K_MODROOT=$out/modroot
		K_KDIR=$out/build
		K_VER=$(cat "$out/release")
		;;
	esac
	[ -d "$K_MODROOT/lib/modules/$K_VER" ] ||
		die "no modules for $K_VER under $K_MODROOT/lib/modules"
}

# source_tree TARBALL: a linux-source-X tarball extracted once under the
# cache (keyed by its size; .done written last); prints the directory.
source_tree() {
	local src
	src=$(cache_dir)/linux-src-$(stat -L -c '%s' "$1") || return 1
	mkdir -p "$(cache_dir)"
	(
		flock 7
		if [ ! -f "$src/.done" ]; then
			echo "${prog:-vm}: extracting $1" >&2
			rm -rf "$src" && mkdir -p "$src" &&
				tar -xf "$1" -C "$src" --strip-components=1 &&
				touch "$src/.done"
		fi
	) 7>"$(cache_dir)/.src.lock" || die "cannot extract $1"
	echo "$src"
}

# upstream_tree: the newest linux-source-7.x of selftests/vm/kernels,
# fetched and extracted once (the kernel's vsock_test, tools/net/ynl and
# the netlink schemas come from it); prints the directory.
upstream_tree() {
	local name tarball
	name=$(awk '!/^#/ && $4 ~ /^linux-source-7/ { n = $1 } END { print n }' \
		"$vm_dir/kernels")
	[ -n "$name" ] || die "no linux-source-7.x row in selftests/vm/kernels"
	tarball=$("$vm_dir/fetch-kernel.sh" "$name")/source.tar.xz || exit 1
	source_tree "$tarball"
}

# upstream_vsock_test DIR: the kernel's own vsock_test
# (tools/testing/vsock), built with this machine's compiler from the
# newest linux-source-7.x of selftests/vm/kernels against that tree's
# exported headers, cached, and copied into DIR.
upstream_vsock_test() {
	local src out
	src=$(upstream_tree) || exit 1
	# Keyed as the tree is, by the size of its tarball.
	out=$(cache_dir)/vsock-test-${src##*linux-src-}
	if [ ! -x "$out/vsock_test" ]; then
		rm -rf "$out" "$out.new" && mkdir -p "$out.new"
		{
			make -C "$src" ARCH=x86_64 O="$out.new/obj" \
				INSTALL_HDR_PATH="$out.new/usr" headers_install &&
				cp -r "$src/tools/testing/vsock" "$out.new/src" &&
				make -C "$out.new/src" vsock_test CFLAGS="-g -O2 -Wall \
					-I. -I$src/tools/include -I$out.new/usr/include \
					-Wno-pointer-sign -fno-strict-overflow \
					-fno-strict-aliasing -fno-common -D_GNU_SOURCE"
		} >"$out.new/build.log" 2>&1 ||
			die "building vsock_test from $src failed, see $out.new/build.log"
		mkdir -p "$out" && cp "$out.new/src/vsock_test" "$out/" &&
			rm -rf "$out.new"
	fi
	mkdir -p "$1" && cp "$out/vsock_test" "$1/"
}

# kbuild_args: set KB_ARGS, make's arguments to build modules against
# K_KDIR, and KB_ROOT, the root kmake builds in (empty: this machine): the
# cross compiler for a foreign K_ARCH; the default gcc when the one the
# kernel was built with is older and not on this machine (bullseye's
# gcc-10 and aarch64-linux-gnu-gcc-10 are not in bookworm); and the
# kernel's own suite (fetch-root.sh -k) when this machine cannot run its
# kbuild programs (Debian sid's need glibc 2.38, Debian 12 has 2.36) or
# the kernel's compiler is newer than ours (sid's gcc-16 takes options
# gcc-12 does not know).
kbuild_args() {
	local kcc cross= kmajor hmajor out
	[ "$K_ARCH" = amd64 ] || cross=aarch64-linux-gnu-
	KB_ARGS=()
	KB_ROOT=
	[ -z "$cross" ] || KB_ARGS=(ARCH=arm64 CROSS_COMPILE=$cross)
	command -v "${cross}gcc" >/dev/null ||
		die "${cross}gcc not found: run scripts/deps.sh${cross:+ --arm64}"
	kcc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\{0,1\}\([^ ]*\) .*/\1/p' \
		"$K_KDIR/include/config/auto.conf" 2>/dev/null)
	# Debian's headers name it as built: natively (gcc-10) or cross.
	[ -z "$kcc" ] || [ -z "$cross" ] || [[ $kcc == "$cross"* ]] || kcc=$cross$kcc
	[ -z "$kcc" ] || command -v "$kcc" >/dev/null && return
	kmajor=$(sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)[0-9][0-9][0-9][0-9]$/\1/p' \
		"$K_KDIR/include/config/auto.conf")
	hmajor=$("${cross}gcc" -dumpversion)
	out=$("$K_KDIR/scripts/basic/fixdep" 2>&1) || true
	if [ -z "$cross" ] && { [[ $out == *GLIBC_* ]] || [ "${kmajor:-0}" -gt "${hmajor%%.*}" ]; }; then
		KB_ROOT=$("$vm_dir/fetch-root.sh" -k "$K_NAME") || exit 1
		echo "${prog:-vm}: $K_VER was built with $kcc: building in $KB_ROOT" >&2
		return
	fi
	echo "${prog:-vm}: $K_VER was built with $kcc, not installed here: building with ${cross}gcc" >&2
	KB_ARGS+=(CC=${cross}gcc)
}

# kmake DIR ARGS...: make -C K_KDIR M=DIR KB_ARGS ARGS, here or, with
# KB_ROOT, chrooted into it (in a mount namespace of its own, with the
# build directory, /dev and /proc bound at the same paths).
kmake() {
	local dir=$1
	shift
	if [ -z "${KB_ROOT:-}" ]; then
		make -C "$K_KDIR" M="$dir" "${KB_ARGS[@]}" "$@"
		return
	fi
	mkdir -p "$KB_ROOT$build_root" "$KB_ROOT/dev" "$KB_ROOT/proc"
	unshare -m -- sh -c 'r=$1 b=$2; shift 2
		mount --bind "$b" "$r$b" && mount --rbind /dev "$r/dev" &&
		mount -t proc proc "$r/proc" && exec chroot "$r" "$@"' sh \
		"$KB_ROOT" "$build_root" \
		make -C "/usr/src/linux-headers-$K_VER" M="$dir" "${KB_ARGS[@]}" "$@"
}

# module_sources DIR: a copy of the module's sources (kernel/, include/,
# and the test modules as modules/) in DIR to build in. Only sources:
# objects and lists built in the main tree name its paths, and kbuild
# would take them for this copy's.
module_sources() {
	mkdir -p "$1"
	cp -p "$repo/Kbuild" "$repo/VERSION" "$1/"
	rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='*.order' \
		--exclude='*.symvers' \
		"$repo/kernel" "$repo/include" "$repo/selftests/modules" "$1/" ||
		die "cannot copy the module sources to $1 (is rsync installed?)"
}

# module_build NAME: build vsock_cidreg.ko, and the VM suite's test modules
# (selftests/modules), against K_KDIR in a copy of the sources under
# build/NAME/, so each kernel keeps its own objects. Sets K_MODULE and
# K_TEST_MODULES.
module_build() {
	local dir=$build_root/$1/module
	module_sources "$dir"
	kbuild_args
	kmake "$dir" -s modules >"$dir/build.log" 2>&1 || {
		cat "$dir/build.log" >&2
		die "building the module against $K_KDIR failed"
	}
	kmake "$dir/modules" -s modules >"$dir/test-build.log" 2>&1 || {
		cat "$dir/test-build.log" >&2
		die "building the test modules against $K_KDIR failed"
	}
	K_MODULE=$dir/kernel/vsock_cidreg.ko
	K_TEST_MODULES=("$dir"/modules/*.ko)
}

# kernel_source_tarball MAJOR.MINOR: the linux-source tarball of that
# series that selftests/vm/kernels names (a debug kernel's row), fetched
# if need be.
kernel_source_tarball() {
	local name src what out
	while read -r name _ src what _; do
		[ "$what" = "linux-source-$1" ] || continue
		if [ "$src" = installed ]; then
			echo "/usr/src/$what.tar.xz"
		else
			out=$("$vm_dir/fetch-kernel.sh" "$name") || return 1
			echo "$out/source.tar.xz"
		fi
		return 0
	done < <(awk '!/^#/ && NF' "$vm_dir/kernels")
	return 1
}

# ninep_build NAME: a kernel built without 9p (Debian's cloud flavour) gets
# it as modules built here from its series' source (net/9p: 9pnet and
# 9pnet_virtio; fs/9p), against its headers: how its VMs mount the host's
# root as every other kernel's do. Sets K_9P_MODULES, in load order.
ninep_build() {
	local dir=$build_root/$1/9p mm tarball src
	mm=$(sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p' <<<"$K_VER")
	tarball=$(kernel_source_tarball "$mm") ||
		die "$1 has no 9p and selftests/vm/kernels names no linux-source-$mm to build it from"
	src=$(source_tree "$tarball") || exit 1
	mkdir -p "$dir"
	rsync -a --delete "$src/net/9p/" "$dir/net/" &&
		rsync -a --delete "$src/fs/9p/" "$dir/fs/" ||
		die "cannot copy 9p's sources from $src"
	kbuild_args
	kmake "$dir/net" -s CONFIG_NET_9P=m CONFIG_NET_9P_VIRTIO=m modules \
		>"$dir/build.log" 2>&1 &&
		kmake "$dir/fs" -s CONFIG_9P_FS=m \
			KBUILD_EXTRA_SYMBOLS="$dir/net/Module.symvers" modules \
			>>"$dir/build.log" 2>&1 || {
		cat "$dir/build.log" >&2
		die "building 9p for $K_VER from $tarball failed"
	}
	K_9P_MODULES=("$dir/net/9pnet.ko" "$dir/net/9pnet_virtio.ko" "$dir/fs/9p.ko")
}

# foreign_build NAME: vsock_cidreg.ko built for another kernel than NAME
# (6.12 for distro, distro for the others), for module_test's check that
# such a module never loads; vmtest.sh names it to the guest. Built under
# NAME's lock and kept by its content, so a later build never changes the
# file a running VM loads. Sets K_FOREIGN.
foreign_build() {
	local other=distro dir=$build_root/$1/foreign kdir sum
	[ "$1" != distro ] || other=6.12
	kdir=$(kernel_prepare "$other" && echo "$K_KDIR") || exit 1
	(
		kernel_lock "$1"
		module_sources "$dir"
		make -s -C "$kdir" M="$dir" modules >"$dir/build.log" 2>&1 || {
			cat "$dir/build.log" >&2
			die "building the module against $kdir (kernel $other) failed"
		}
		sum=$(sha256sum <"$dir/kernel/vsock_cidreg.ko" | cut -c1-12)
		[ -f "$dir-$sum.ko" ] ||
			{ cp "$dir/kernel/vsock_cidreg.ko" "$dir-$sum.ko.new" &&
				mv "$dir-$sum.ko.new" "$dir-$sum.ko"; }
		echo "$dir-$sum.ko" >"$dir.current"
	) || exit 1
	K_FOREIGN=$(cat "$dir.current")
}

# link_module_tree SRC DST: DST gets what depmod needs of the module tree
# SRC (/lib/modules/KVER): symlinks to its modules, copies of its lists;
# not its indexes, nor extra/ and updates/ (ours go there).
link_module_tree() {
	local f
	mkdir -p "$2"
	for f in "$1"/*; do
		case "${f##*/}" in
		build|source|extra|updates|modules.*) ;;
		*) cp -rs "$f" "$2/" ;;
		esac
	done
	cp "$1"/modules.order "$1"/modules.builtin* "$2/"
}

# stage_intact DIR SUM: the stage was made for this module and kernel, and
# nothing removed its modules since (`make clean` in the repository
# deletes every *.ko below it, build/ included).
stage_intact() {
	local m=$1/lib/modules/$K_VER
	local t
	[ "$(cat "$1/.sum" 2>/dev/null)" = "$2" ] &&
		cmp -s "$K_MODULE" "$m/extra/vsock_cidreg.ko" || return 1
	for t in "${K_TEST_MODULES[@]}"; do
		cmp -s "$t" "$m/extra/${t##*/}" || return 1
	done
	[ "$K_MODROOT" = / ] ||
		(cd "$m" && xargs -a modules.order ls >/dev/null 2>&1)
}

# stage_modules NAME: a module tree under build/NAME/stage-SUM/lib/modules
# that, laid over the guest's /lib/modules, adds our module and the depmod
# indexes that resolve it together with the kernel's own modules. One
# stage per module and kernel (SUM): a run that rebuilds the module never
# changes the stage a VM of another run is reading. Called under the
# kernel's lock (vmrun.sh); a VM holds its stage while it
# runs (its .sum, shared), and stages no VM holds are removed here. Sets
# K_STAGE.
stage_modules() {
	local sum stage scratch=$build_root/$1/depmod
	local src=$K_MODROOT/lib/modules/$K_VER old
	sum=$(cat "$K_MODULE" "${K_TEST_MODULES[@]}" "$K_IMAGE" | sha256sum)
	stage=$build_root/$1/stage-${sum:0:12}
	for old in "$build_root/$1"/stage "$build_root/$1"/stage-*; do
		[ -d "$old" ] && [ "$old" != "$stage" ] || continue
		# shellcheck disable=SC2015
		(flock -n -x 6 && rm -rf "$old") 6>>"$old/.sum" 2>/dev/null || true
	done
	K_STAGE=$stage
	stage_intact "$stage" "$sum" && return
	rm -rf "$stage" "$scratch"
	mkdir -p "$scratch/lib/modules/$K_VER/extra" "$stage/lib/modules/$K_VER"
	link_module_tree "$src" "$scratch/lib/modules/$K_VER"
	cp "$K_MODULE" "${K_TEST_MODULES[@]}" "$scratch/lib/modules/$K_VER/extra/"
	depmod -b "$scratch" "$K_VER" || die "depmod failed for $K_VER"
	cp -r "$scratch/lib/modules/$K_VER"/modules.* \
		"$scratch/lib/modules/$K_VER/extra" "$stage/lib/modules/$K_VER/"
	# The debug kernel's own tree is not on the host's /lib/modules.
	if [ "$K_MODROOT" != / ]; then
		cp -r "$src/kernel" "$stage/lib/modules/$K_VER/"
	fi
	rm -rf "$scratch"
	echo "$sum" >"$stage/.sum"
}

# kernel_lock NAME: take the lock on build/NAME (fd 9), saying so when
# another run holds it: the kernel, the module and the stage are prepared
# by one run at a time.
kernel_lock() {
	mkdir -p "$build_root"
	exec 9>"$build_root/.$1.lock"
	flock -n 9 && return
	echo "${prog:-vm}: another run is preparing the $1 kernel (build/$1): waiting for it" >&2
	flock 9
}

# The accelerator a VM boots with. KVM only where a guest really runs on
# it: a /dev/kvm that opens is not enough, nor a stopped VM that QEMU
# starts and quits (-S): on some hosts a KVM guest never executes past
# the boot loader and its kernel prints nothing, ever. The probe boots
# the kernel under test under KVM, without a root, and needs its first
# line ("Linux version") within $kvm_probe_seconds; the verdict holds for
# this boot of the host, this QEMU and this device ($build_root/.accel).
kvm_dev=${CIDREG_KVM_DEV:-/dev/kvm}
kvm_probe_seconds=${CIDREG_KVM_PROBE_SECONDS:-15}
# How long a VM under KVM may show no console line before it is booted
# again under TCG (vmrun.sh).
kvm_first_line_seconds=${CIDREG_KVM_FIRST_LINE_SECONDS:-30}

# first_line_within LOG PIDFILE SECONDS: 0 once LOG has the kernel's first
# line; 1 when SECONDS pass without it, or the QEMU of PIDFILE is gone.
first_line_within() {
	local i pid
	for ((i = 0; i < $3 * 4; i++)); do
		grep -q 'Linux version' "$1" 2>/dev/null && return 0
		pid=$(cat "$2" 2>/dev/null) || pid=
		# Started and gone again: it will print nothing more.
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			grep -q 'Linux version' "$1" 2>/dev/null
			return
		fi
		sleep 0.25
	done
	return 1
}

# kvm_boots IMAGE DIR: 0 when IMAGE prints its first line under KVM within
# $kvm_probe_seconds; otherwise 1, with the reason on stdout.
kvm_boots() {
	local image=$1 dir=$2 pid rc=0
	rm -f "$dir/probe.log" "$dir/probe.pid" "$dir/probe.err"
	: >"$dir/probe.log"
	qemu-system-x86_64 -accel kvm -cpu host -nodefaults -display none \
		-no-reboot -m 256 -kernel "$image" -append "console=ttyS0 panic=-1" \
		-serial "file:$dir/probe.log" -monitor none -pidfile "$dir/probe.pid" \
		</dev/null >/dev/null 2>"$dir/probe.err" &
	pid=$!
	first_line_within "$dir/probe.log" "$dir/probe.pid" "$kvm_probe_seconds" || rc=1
	kill "$pid" 2>/dev/null
	kill "$(cat "$dir/probe.pid" 2>/dev/null)" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ "$rc" -eq 0 ] && return 0
	if [ -s "$dir/probe.err" ]; then
		echo "QEMU failed to start a KVM guest: $(grep -v '^$' "$dir/probe.err" | head -n1)"
	else
		echo "a guest under KVM printed nothing in ${kvm_probe_seconds}s"
	fi
	return 1
}

# accel_choose ARCH IMAGE: set accel to kvm or tcg for a VM of ARCH booting
# IMAGE, and accel_why to one line saying why it is not KVM when this call
# probed (empty otherwise: a verdict is said once, when it is reached).
# CIDREG_ACCEL=kvm or tcg overrides the probe.
accel_choose() {
	local arch=$1 image=$2 key verdict why probed=0
	accel=${CIDREG_ACCEL:-auto} accel_why= accel_verdict="asked for (CIDREG_ACCEL)"
	case $accel in
	kvm|tcg) return ;;
	auto) ;;
	*) die "CIDREG_ACCEL=$accel: use kvm, tcg or leave it unset" ;;
	esac
	accel=tcg
	# Another architecture: TCG, always.
	accel_verdict="tcg the guest's architecture is not the host's"
	[ "$arch" = amd64 ] || return 0
	if [ ! -e "$kvm_dev" ]; then
		accel_verdict="tcg no $kvm_dev"
		return 0
	elif [ ! -r "$kvm_dev" ] || [ ! -w "$kvm_dev" ]; then
		accel_why="$kvm_dev is there but not usable by $(id -un); using TCG"
		accel_verdict="tcg $accel_why"
		return 0
	fi
	key=$(accel_key)
	mkdir -p "$build_root"
	exec 7>"$build_root/.accel.lock"
	flock 7
	verdict=$(awk -v k="$key" '$1 == k { $1 = ""; print substr($0, 2) }' \
		"$build_root/.accel" 2>/dev/null) || verdict=
	if [ -z "$verdict" ]; then
		if why=$(kvm_boots "$image" "$build_root"); then
			verdict=kvm
		else
			verdict="tcg $why"
		fi
		accel_record "$key" "$verdict"
		probed=1
	fi
	flock -u 7
	exec 7>&-
	accel=${verdict%% *} accel_verdict=$verdict
	[ "$accel" = kvm ] || [ "$probed" -eq 0 ] ||
		accel_why="KVM probed and not used: ${verdict#tcg }; using TCG (CIDREG_ACCEL=kvm forces KVM)"
}

# accel_key: what a verdict holds for: this boot of the host, this QEMU,
# this device.
accel_key() {
	local boot
	boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null) || boot=unknown
	echo "$boot:$(command -v qemu-system-x86_64):$kvm_dev"
}

# accel_record KEY VERDICT: the verdict for KEY, replacing an older one.
accel_record() {
	{ awk -v k="$1" '$1 != k' "$build_root/.accel" 2>/dev/null; echo "$1 $2"; } \
		>"$build_root/.accel.new" && mv "$build_root/.accel.new" "$build_root/.accel"
}

# accel_stalled WHY: remember that KVM runs no guest here (a VM under it
# showed nothing), so that later VMs go to TCG at once.
accel_stalled() {
	mkdir -p "$build_root"
	(flock 7; accel_record "$(accel_key)" "tcg $1") 7>"$build_root/.accel.lock"
}
