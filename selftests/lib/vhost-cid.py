#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Set a guest CID on /dev/vhost-vsock as a VM stack does, then hand the
fd to a VMM (fd 3 of COMMAND; {cid} in COMMAND is the CID it got):

  vhost-cid.py set CID -- COMMAND...
      virtqemud (libvirt's qemu driver, KubeVirt's virt-launcher): the
      CID the domain names, once; an error is the domain's failure.
  vhost-cid.py kata START -- COMMAND...
      Kata's FindContextID (the Go runtime): from a random START upward,
      then downward from START - 1 to 3, taking the next CID on any error.
  vhost-cid.py kata-rs LO-HI -- COMMAND...
      Kata's runtime-rs (generate_vhost_vsock_cid() of virtio_vsock.rs):
      50 random CIDs, in [3, 2^32 - 1] there, in [LO, HI] here, the next
      only on EADDRINUSE, any other error the sandbox's failure; the
      probe's fd is closed, and the VMM sets the CID it found on its own
      device (fd 3 of COMMAND here).

Prints "cid N" on standard output before running COMMAND; exit status
COMMAND's, or 1 with a line on standard error.
"""
import errno
import fcntl
import os
import random
import struct
import sys

VHOST_VSOCK_SET_GUEST_CID = 0x4008AF60
CID_MAX = 0xFFFFFFFE
CID_RETRY_COUNT = 50


def set_cid(fd, cid):
    fcntl.ioctl(fd, VHOST_VSOCK_SET_GUEST_CID, struct.pack("=Q", cid))


def main(argv):
    if len(argv) < 5 or argv[3] != "--" or \
            argv[1] not in ("set", "kata", "kata-rs"):
        sys.stderr.write(__doc__)
        return 2
    if argv[1] == "kata-rs":
        lo, hi = (int(x) for x in argv[2].split("-"))
    else:
        first = int(argv[2])
    # No VHOST_SET_OWNER: the VMM that gets the fd does it.
    fd = os.open("/dev/vhost-vsock", os.O_RDWR)
    cid = None
    if argv[1] == "kata-rs":
        for _ in range(CID_RETRY_COUNT):
            c = random.randint(lo, hi)
            try:
                set_cid(fd, c)
                cid = c
                break
            except OSError as e:
                if e.errno == errno.EADDRINUSE:
                    continue
                print(f"vhost-cid: failed to set guest CID: "
                      f"{os.strerror(e.errno)} ({errno.errorcode[e.errno]})",
                      file=sys.stderr)
                return 1
        if cid is None:
            print(f"vhost-cid: failed to find a free vsock context ID after "
                  f"{CID_RETRY_COUNT} attempts", file=sys.stderr)
            return 1
        # The probe's device goes; the VMM's takes the CID again.
        os.close(fd)
        fd = os.open("/dev/vhost-vsock", os.O_RDWR)
        try:
            set_cid(fd, cid)
        except OSError as e:
            print(f"vhost-cid: the VMM failed to set guest cid {cid}: "
                  f"{os.strerror(e.errno)} ({errno.errorcode[e.errno]})",
                  file=sys.stderr)
            return 1
    elif argv[1] == "set":
        try:
            set_cid(fd, first)
            cid = first
        except OSError as e:
            print(f"vhost-cid: failed to set guest cid {first}: "
                  f"{os.strerror(e.errno)} ({errno.errorcode[e.errno]})",
                  file=sys.stderr)
            return 1
    else:
        tries = 0
        for c in list(range(first, first + 4096)) + \
                list(range(first - 1, 2, -1)):
            if c > CID_MAX:
                continue
            tries += 1
            try:
                set_cid(fd, c)
                cid = c
                break
            except OSError:
                continue
        if cid is None:
            print(f"vhost-cid: no CID after {tries} tries", file=sys.stderr)
            return 1
    print(f"cid {cid}", flush=True)
    os.dup2(fd, 3)
    os.set_inheritable(3, True)
    cmd = [a.replace("{cid}", str(cid)) for a in argv[4:]]
    os.execvp(cmd[0], cmd)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
