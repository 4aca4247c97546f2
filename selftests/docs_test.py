#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run the console examples of the documentation and compare their output.

Every ```console block of the given Markdown files is a root shell session:
a line "# COMMAND" is run, the lines up to the next command are its output
(stdout and stderr). The blocks of one file run in order in one bash, from
a clean state: the module unloaded, no "pod-*" netns, in a scratch
directory. What varies from run to run (process IDs, namespace inodes
other than the initial one's, times, the kernel release in a module's
path) is masked on both sides before the comparison, and runs of blanks
count as one. Needs root; runs in the VM.
Prints TAP, one test per file.

  docs_test.py [--update] [FILE.md...]

Without files: README.md and every Documentation/*.md with such blocks.

--update prints the files with what the commands printed in them, for
scripts/docs-update.sh to write (then review the diff).
"""
import os
import re
import subprocess
import sys
import tempfile

# selftests/ or build/selftests/ of the repository.
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if not os.path.isdir(os.path.join(REPO, "Documentation")):
    REPO = os.path.dirname(REPO)
MASKS = [
    # The HOLDER column of an attached entry: a pid.
    (re.compile(r"^(\d+\s+\S+\s+\d+\s+yes\s+)\d+"), r"\1PID"),
    (re.compile(r"\b40265(?!31840\b)\d{5}\b"), "NETNS"),
    (re.compile(r"\b\d+/(?=[A-Za-z])"), "PID/"),
    (re.compile(r"\bpid \d+"), "pid PID"),
    (re.compile(r"\bkworker/\S+"), "kworker"),
    (re.compile(r'"(creator_pid|holder_pid|ctime_ns)":"?\d+"?'), r'"\1":N'),
    (re.compile(r"\[ *\d+\.\d+\]"), "[TIME]"),
    # The kernel release in a module's path: Debian's moves on.
    (re.compile(r"/lib/modules/[^/\s]+/"), "/lib/modules/KVER/"),
    (re.compile(r"\s+"), " "),
]
RESET = """
cidctl release --all --netns / >/dev/null 2>&1
for n in $(ip netns list | awk '/^pod-/ { print $1 }'); do ip netns del "$n"; done
for n in $(ip netns list | awk '/^pod-/ { print $1 }'); do ip netns del "$n"; done
modprobe -r vhost_vsock vsock_loopback vsock_cidreg 2>/dev/null
dmesg -C
"""


def sessions(path):
    """The commands of a file with the output the file shows for each."""
    cmds, block = [], False
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("```"):
                block = line == "```console"
                continue
            if not block:
                continue
            if line.startswith("# "):
                cmds.append([lineno, line[2:], []])
            elif cmds:
                cmds[-1][2].append(line)
    return cmds


def norm(lines):
    out = []
    for line in lines:
        for rx, rep in MASKS:
            line = rx.sub(rep, line)
        out.append(line.strip())
    while out and not out[-1]:
        out.pop()
    return out


def run(cmds, scratch):
    """Runs the commands in one bash; the output of each, by index."""
    marker = "@@docs-test-output-of-command@@"
    script = [RESET, f"cd {scratch}"]
    for i, (_, cmd, _) in enumerate(cmds):
        script.append(f"echo {marker}{i}")
        script.append(f"{cmd} 2>&1")
    script.append(f"echo {marker}end")
    script.append(RESET)
    env = dict(os.environ, PATH=f"{REPO}/build/tools:{REPO}/build/selftests:"
               f"{os.environ['PATH']}")
    try:
        out = subprocess.run(["bash"], input="\n".join(script), text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             env=env, timeout=300).stdout
    except subprocess.TimeoutExpired as e:
        # The commands after the one that hung count as never run.
        out = (e.stdout or b"").decode(errors="replace")
        subprocess.run(["bash"], input=RESET, text=True)
    got, cur = {}, None
    for line in out.split("\n"):
        if line.startswith(marker):
            cur = line[len(marker):]
            got[cur] = []
        elif cur is not None:
            got[cur].append(line)
    for out in got.values():
        while out and not out[-1]:
            out.pop()
    return got


def compare(path, cmds, got):
    bad = []
    for i, (lineno, cmd, want) in enumerate(cmds):
        have = got.get(str(i))
        if have is None:
            bad.append(f"{path}:{lineno}: `{cmd}` never ran")
        elif norm(have) != norm(want):
            bad.append(f"{path}:{lineno}: `{cmd}` printed:")
            bad.extend("    " + x for x in have)
    return bad


def update(path, cmds, got):
    """Writes the output each command printed under it (--update)."""
    at = {lineno: got.get(str(i), []) for i, (lineno, _, _) in enumerate(cmds)}
    out, block, skipping = [], False, False
    with open(path) as f:
        lines = f.read().split("\n")
    for lineno, line in enumerate(lines, 1):
        if line.startswith("```"):
            block = line == "```console"
            skipping = False
        elif block and line.startswith("# "):
            skipping = False
            if lineno in at:
                out.append(line)
                out.extend(at[lineno])
                skipping = True
                continue
        elif skipping:
            continue
        out.append(line)
    # The VM sees the repository read-only: scripts/docs-update.sh
    # writes the file from this.
    print(f"@@docs-update@@ {path}")
    print("\n".join(out))
    print("@@docs-update-end@@")


def main(files):
    fill = files[:1] == ["--update"]
    files = files[1:] if fill else files
    if not files:
        files = [os.path.join(REPO, "README.md")] + sorted(
            os.path.join(REPO, "Documentation", f)
            for f in os.listdir(os.path.join(REPO, "Documentation"))
            if f.endswith(".md"))
        files = [f for f in files if "```console\n" in open(f).read()]
    print("TAP version 13")
    print(f"1..{len(files)}")
    failed = 0
    with tempfile.TemporaryDirectory() as scratch:
        for n, path in enumerate(files, 1):
            name = os.path.relpath(path, REPO)
            cmds = sessions(path)
            if not cmds:
                bad = [f"{name}: no console block"]
            else:
                got = run(cmds, scratch)
                if fill:
                    update(path, cmds, got)
                bad = compare(path, cmds, got)
            label = "examples_of_" + re.sub(r"\W", "_", name)
            if bad:
                failed += 1
                print(f"not ok {n} {label}")
                for line in bad:
                    print("#   " + line)
            else:
                print(f"ok {n} {label} # {len(cmds)} commands")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
