# SPDX-License-Identifier: GPL-2.0
#
# vsock-cidreg: `make` builds the module and the tools; `make check` runs
# every test (host, then the VM suite on the distro, 6.12 and debug
# kernels); `make check-kernels` on every kernel of selftests/vm/kernels.
# See README.md.

VERSION := $(shell cat VERSION)
BUILD := $(CURDIR)/build
LINUX_SOURCE_TARBALL ?= /usr/src/linux-source-6.1.tar.xz
LINUX_TOOLS := $(BUILD)/linux-tools

# The kernel tree to build the module against: KDIR=, else KVER=, else the
# running kernel's, else the newest installed Debian headers.
ifneq ($(KDIR),)
  KDIR_WHY := from KDIR=
else ifneq ($(KVER),)
  KDIR := $(firstword $(wildcard /lib/modules/$(KVER)/build/Makefile \
	/usr/src/linux-headers-$(KVER)/Makefile))
  KDIR := $(if $(KDIR),$(patsubst %/,%,$(dir $(KDIR))),/lib/modules/$(KVER)/build)
  KDIR_WHY := from KVER=$(KVER)
else ifneq ($(wildcard /lib/modules/$(shell uname -r)/build/Makefile),)
  KDIR := /lib/modules/$(shell uname -r)/build
  KDIR_WHY := the running kernel's
else
  KDIR := $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n1)
  KDIR_WHY := the newest installed Debian headers; the running kernel has none
endif

all: module tools

kdir-check:
	@if [ -z "$(KDIR)" ]; then \
		echo "make: no kernel tree found: install linux-headers-amd64 (scripts/deps.sh) or pass KDIR=/path/to/kernel/build" >&2; \
		exit 1; \
	elif [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "make: $(KDIR) is not a kernel build tree ($(KDIR_WHY)): pass KDIR= or KVER= of an installed kernel, or install its linux-headers" >&2; \
		exit 1; \
	fi
	@echo "make: building the module against $(KDIR) ($(KDIR_WHY))"

module: kdir-check
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

module-clean: kdir-check
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

# W=1 and C=2 (sparse on every file) with any warning made fatal, in a
# copy of the sources (build/strict): kbuild's clean of a tree deletes
# every .ko below it, and build/ holds the modules other runs' VMs load.
module-strict: kdir-check
	@rm -rf $(BUILD)/strict && mkdir -p $(BUILD)/strict
	@tar -cf - Kbuild VERSION --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='*.order' \
		--exclude='*.symvers' kernel include | tar -xf - -C $(BUILD)/strict
	@$(MAKE) -C $(KDIR) M=$(BUILD)/strict W=1 C=2 modules >$(BUILD)/strict.log 2>&1; \
		rc=$$?; cat $(BUILD)/strict.log; [ $$rc -eq 0 ] && \
		! grep -E 'warning:|error:' $(BUILD)/strict.log

tools:
	$(MAKE) -C tools

# The few files we take from the kernel's tarball, never committed.
$(LINUX_TOOLS)/.stamp: $(LINUX_SOURCE_TARBALL)
	@test -r $< || { echo "make: $< not found: install linux-source-6.1 (scripts/deps.sh)" >&2; exit 1; }
	@mkdir -p $(LINUX_TOOLS)
	tar -xf $< -C $(LINUX_TOOLS) --strip-components=1 \
		--wildcards '*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h' \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	@touch $@

linux-tools: $(LINUX_TOOLS)/.stamp

selftests: linux-tools
	$(MAKE) -C selftests OUTPUT=$(BUILD)/selftests KSFT_DIR=$(LINUX_TOOLS)/tools/testing/selftests

checkpatch: linux-tools
	perl $(LINUX_TOOLS)/scripts/checkpatch.pl --no-tree --strict --quiet \
		--ignore FILE_PATH_CHANGES,LINUX_VERSION_CODE,CONSTANT_COMPARISON \
		-f $(filter-out %.mod.c,$(wildcard kernel/*.[ch] include/uapi/linux/*.h))
	@# Version tests belong in kernel/compat.h alone (hence the ignores above).
	@! grep -n LINUX_VERSION_CODE $(filter-out kernel/compat.h,$(wildcard kernel/*.[ch])) || \
		{ echo "checkpatch: LINUX_VERSION_CODE outside kernel/compat.h" >&2; exit 1; }

# make install [DESTDIR=...] [PREFIX=/usr/local] [LIBDIR=PREFIX/lib]
# [UNITDIR=PREFIX/lib/systemd/system]; make install-tools: all but the
# module; make uninstall removes exactly what they installed, but for an
# edited configuration file (scripts/install.sh keeps a manifest).
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
UNITDIR ?= $(PREFIX)/lib/systemd/system
# The release the kernel reports (uname -r): Debian's kernel.release holds
# the upstream version instead.
KRELEASE = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
INSTALL_ENV = DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" LIBDIR="$(LIBDIR)" \
	UNITDIR="$(UNITDIR)" KDIR="$(KDIR)" KRELEASE="$(KRELEASE)"

install: all
	$(INSTALL_ENV) scripts/install.sh install

install-tools: tools
	$(INSTALL_ENV) scripts/install.sh install-tools

uninstall:
	$(INSTALL_ENV) scripts/install.sh uninstall

# DKMS: the module's sources to /usr/src/vsock-cidreg-VERSION, then dkms
# add, build and install for KVER (default: the running kernel).
dkms-install:
	KVER="$(KVER)" scripts/dkms.sh install

dkms-uninstall:
	scripts/dkms.sh uninstall

# The Debian packages (vsock-cidreg-dkms, libcidreg0, libcidreg-dev,
# cidctl) and the source package, built with dpkg-buildpackage from a
# copy of the committed tree in $(BUILD)/deb, then checked by lintian.
deb:
	scripts/deb.sh

deps:
	scripts/deps.sh

check: deps
	scripts/check.sh

# Every kernel of selftests/vm/kernels, not only those of `make check`,
# and the long parts of host tests (CIDREG_LONG=1: deb_test's upgrade);
# README.md's support matrix is then this run's, whatever its result.
# It resumes (CIDREG_RESUME=1): a suite that passed with the tracked files
# as they are is not run again (scripts/check.sh), so a run cut short goes
# on where it was, here or, with selftests/vm/passed/ committed, on
# another machine.
check-kernels:
	scripts/deps.sh --arm64
	CIDREG_RESUME=1 CIDREG_LONG=1 CHECK_KERNELS="$$(awk '!/^#/ && NF { print $$1 }' selftests/vm/kernels | paste -sd' ')" \
		scripts/check.sh; rc=$$?; scripts/matrix.sh; exit $$rc

# Longer runs than make check's: stress_test 10 rounds of 60 s, and
# fuzz_test with 5 seeds of 60000 calls, on the distro and the debug
# kernels. STRESS_ROUNDS, STRESS_SECONDS, FUZZ_SEEDS, FUZZ_ITERATIONS change
# them.
STRESS_ROUNDS ?= 10
STRESS_SECONDS ?= 60
FUZZ_SEEDS ?= 1 2 3 4 5
FUZZ_ITERATIONS ?= 60000

stress: deps module selftests
	selftests/vm/build-debug-kernel.sh
	for k in distro debug; do \
		CIDREG_STRESS_ROUNDS=$(STRESS_ROUNDS) \
		CIDREG_STRESS_SECONDS=$(STRESS_SECONDS) \
		selftests/vm/vmtest.sh -k $$k -t 7200 stress_test || exit 1; \
	done

fuzz: deps module selftests
	selftests/vm/build-debug-kernel.sh
	for k in distro debug; do for s in $(FUZZ_SEEDS); do \
		CIDREG_FUZZ_SEED=$$s CIDREG_FUZZ_ITERATIONS=$(FUZZ_ITERATIONS) \
		selftests/vm/vmtest.sh -k $$k -t 7200 fuzz_test || exit 1; \
	done; done

demo: deps
	scripts/demo.sh

# The benchmarks (selftests/bench/cidreg_bench) in one VM of kernel K
# (default distro): a table, and build/bench/K.json. bench-profile: the
# same under perf, with the hottest symbols. Documentation/performance.md.
K ?= distro
bench: deps module tools selftests
	scripts/bench.sh -k $(K)

bench-profile: deps module tools selftests
	scripts/bench.sh -k $(K) -p

clean:
	-$(MAKE) -s -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C tools clean
	rm -rf $(BUILD)

.PHONY: stress fuzz all kdir-check module module-clean module-strict tools linux-tools selftests \
	checkpatch install install-tools uninstall deb dkms-install dkms-uninstall deps check check-kernels demo \
	bench bench-profile \
	clean
