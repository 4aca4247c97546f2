#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot the distro kernel in QEMU and show, on the same steps
# without the module and with it, what vsock-cidreg fixes
# (scripts/demo-guest.sh runs inside the VM).
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all selftests
exec selftests/vm/vmrun.sh -k "${DEMO_KERNEL:-distro}" -t 300 -- scripts/demo-guest.sh
