#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot the distro kernel in QEMU and show what vsock-cidreg
# does so far (scripts/demo-guest.sh runs inside the VM).
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
exec selftests/vm/vmrun.sh -k "${DEMO_KERNEL:-distro}" -t 300 -- scripts/demo-guest.sh
