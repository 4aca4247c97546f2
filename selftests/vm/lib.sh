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

# kernel_row NAME: set KT_ARCH, KT_SOURCE, KT_WHAT and KT_CONFIG (the
# fragments of a built kernel, or empty) from selftests/vm/kernels.
kernel_row() {
	local row
	row=$(awk -v n="$1" '!/^#/ && $1 == n { print $2, $3, $4, $5 }' "$vm_dir/kernels")
	[ -n "$row" ] ||
		die "unknown kernel '$1': use one of $(kernel_names | paste -sd' ') (selftests/vm/kernels)"
	read -r KT_ARCH KT_SOURCE KT_WHAT KT_CONFIG <<<"$row"
	case $KT_WHAT in
	linux-source-*)
		[ -n "$KT_CONFIG" ] ||
			die "kernel '$1' is built from $KT_WHAT but names no config fragment (selftests/vm/kernels)" ;;
	esac
}

# kernel_prepare NAME: set K_IMAGE, K_MODROOT, K_KDIR, K_VER, K_ARCH for a
# kernel of selftests/vm/kernels: the host's installed one, a debug kernel
# (built and cached by build-debug-kernel.sh), or a Debian kernel (fetched
# and cached by fetch-kernel.sh).
kernel_prepare() {
	local out
	kernel_row "$1"
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

# module_build NAME: build vsock_cidreg.ko, and the VM suite's test modules
# (selftests/modules), against K_KDIR in a copy of the sources under
# build/NAME/, so each kernel keeps its own objects. Sets K_MODULE and
# K_TEST_MODULES.
module_build() {
	local dir=$build_root/$1/module
	mkdir -p "$dir"
	cp -p "$repo/Kbuild" "$repo/VERSION" "$dir/"
	# Only sources: objects and lists built in the main tree name its
	# paths, and kbuild would take them for this copy's.
	rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='*.order' \
		--exclude='*.symvers' \
		"$repo/kernel" "$repo/include" "$repo/selftests/modules" "$dir/" ||
		die "cannot copy the module sources to $dir (is rsync installed?)"
	# A foreign architecture's kernel is cross-built; with the compiler
	# the kernel was built with if this machine has it (bullseye's gcc-10
	# is not in bookworm), else the default gcc.
	local cc kcc cross=
	[ "$K_ARCH" = amd64 ] || cross=aarch64-linux-gnu-
	cc=()
	[ -z "$cross" ] || cc=(ARCH=arm64 CROSS_COMPILE=$cross)
	command -v "${cross}gcc" >/dev/null ||
		die "${cross}gcc not found: run scripts/deps.sh${cross:+ --arm64}"
	kcc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\{0,1\}\([^ ]*\) .*/\1/p' \
		"$K_KDIR/include/config/auto.conf" 2>/dev/null)
	if [ -n "$kcc" ] && ! command -v "$kcc" >/dev/null; then
		echo "${prog:-vm}: $K_VER was built with $kcc, not installed here: building with ${cross}gcc" >&2
		cc+=(CC=${cross}gcc)
	fi
	make -s -C "$K_KDIR" M="$dir" "${cc[@]}" modules >"$dir/build.log" 2>&1 || {
		cat "$dir/build.log" >&2
		die "building the module against $K_KDIR failed"
	}
	make -s -C "$K_KDIR" M="$dir/modules" "${cc[@]}" modules >"$dir/test-build.log" 2>&1 || {
		cat "$dir/test-build.log" >&2
		die "building the test modules against $K_KDIR failed"
	}
	K_MODULE=$dir/kernel/vsock_cidreg.ko
	K_TEST_MODULES=("$dir"/modules/*.ko)
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

# stage_modules NAME: a module tree under build/NAME/stage/lib/modules that,
# laid over the guest's /lib/modules, adds our module and the depmod
# indexes that resolve it together with the kernel's own modules. Sets
# K_STAGE.
stage_modules() {
	local stage=$build_root/$1/stage scratch=$build_root/$1/depmod
	local src=$K_MODROOT/lib/modules/$K_VER sum
	sum=$(cat "$K_MODULE" "${K_TEST_MODULES[@]}" "$K_IMAGE" | sha256sum)
	if stage_intact "$stage" "$sum"; then
		K_STAGE=$stage
		return
	fi
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
	K_STAGE=$stage
}
