#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The harness's results, machine-readable: one JSON file per run of a
suite (the host tests, or one kernel's VM suite), made from the TAP that
selftests/run_tests.sh frames, and the lines and totals made from those
files. Nothing else parses "N passed, N failed".

  results.py tap LOG --label L --expect "A B"        TAP -> JSON (stdout)
  results.py merge OUT --label L [--meta K=V]... [--check NAME=ok|fail]...
                   [--part JSON]...                  one run's JSON
  results.py line JSON                               "L: N passed, N failed"
  results.py total JSON...                           each line, the total
  results.py get JSON KEY                            one field (meta first)

Positive evidence only: a skipped test fails; so do tests a program
planned but never reported, a program that reports nothing (1..0
included), one that exits non-zero with no failure of its own, one that
never finished, an expected program that never ran, a run that expected
none, and a result file that is missing or unreadable.
"""
import json
import os
import re
import sys

TEST_RE = re.compile(r'^(not )?ok [0-9]+ ')


def parse_tap(lines, label, expect):
    progs, notes = [], []
    cur = None

    def close():
        nonlocal cur
        if cur is None:
            return
        p = cur
        missing = p['plan'] - p['seen']
        if not p['done']:
            p['notes'].append('did not finish (crash or time-out)')
            missing = max(missing, 1)
        if missing > 0:
            p['notes'].append('%d planned test(s) never reported' % missing)
            p['failed'] += missing
        elif missing < 0 and p['plan']:
            # A plan that is wrong says the program is not what was
            # reviewed (a test added without its count).
            p['notes'].append('%d test(s) more than its plan' % -missing)
            p['failed'] += 1
        elif p['seen'] == 0:
            p['notes'].append('reported no result')
            p['failed'] += 1
        elif p['done'] and p['rc'] != 0 and p['own_failures'] == 0:
            p['notes'].append('exited %d with no failed test' % p['rc'])
            p['failed'] += 1
        p['status'] = 'pass' if p['failed'] == 0 else 'fail'
        for k in ('plan', 'seen', 'done', 'own_failures'):
            del p[k]
        progs.append(p)
        cur = None

    for line in lines:
        line = line.rstrip('\n')
        if line.startswith('# selftest: '):
            close()
            cur = dict(name=line.split()[2], plan=0, seen=0, done=False,
                       rc=0, own_failures=0, passed=0, failed=0,
                       seconds=None, notes=[])
            continue
        if cur is None:
            continue
        if line.startswith('# selftest-exit: '):
            f = line.split()
            cur['rc'] = int(f[3]) if len(f) > 3 and f[3].lstrip('-').isdigit() else 1
            cur['done'] = True
            close()
            continue
        m = re.match(r'^# (\S+) took ([0-9]+)s$', line)
        if m and m.group(1) == cur['name']:
            cur['seconds'] = int(m.group(2))
            continue
        if re.match(r'^1\.\.[0-9]+', line):
            cur['plan'] = int(re.match(r'^1\.\.([0-9]+)', line).group(1))
            continue
        if TEST_RE.match(line):
            cur['seen'] += 1
            if line.startswith('ok ') and not re.search(r'# [Ss][Kk][Ii][Pp]', line):
                cur['passed'] += 1
            else:
                cur['failed'] += 1
                cur['own_failures'] += 1
                cur['notes'].append(line)
    close()
    ran = {p['name'] for p in progs}
    if not expect:
        notes.append('no test was expected: an empty list proves nothing')
    for name in expect:
        if name not in ran:
            progs.append(dict(name=name, status='fail', passed=0, failed=1,
                              rc=None, seconds=None, notes=['never ran']))
    res = dict(label=label, tests=progs, notes=notes)
    return total_of(res)


def total_of(res):
    res['passed'] = sum(t['passed'] for t in res['tests'])
    res['failed'] = sum(t['failed'] for t in res['tests']) + len(res['notes'])
    return res


def load(path):
    try:
        with open(path) as f:
            res = json.load(f)
        int(res['passed']), int(res['failed']), str(res['label'])
        return res
    except (OSError, ValueError, KeyError, TypeError) as e:
        return dict(label=path, tests=[], passed=0, failed=1,
                    notes=['no result: %s' % e])


def line_of(res):
    out = []
    for t in res.get('tests', []):
        for n in t.get('notes', []):
            out.append('%s: %s: %s' % (res['label'], t['name'], n))
    for n in res.get('notes', []):
        out.append('%s: %s' % (res['label'], n))
    out.append('%s: %d passed, %d failed' % (res['label'], res['passed'], res['failed']))
    return out


def opts(args, names):
    """--NAME VALUE pairs (repeatable ones gather in lists)."""
    got = {n: [] for n in names}
    pos = []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith('--') and a[2:] in names and i + 1 < len(args):
            got[a[2:]].append(args[i + 1])
            i += 2
        else:
            pos.append(a)
            i += 1
    return got, pos


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == 'tap':
        o, pos = opts(args, ['label', 'expect'])
        if len(pos) != 1 or not o['label']:
            sys.exit('usage: results.py tap LOG --label L --expect "A B"')
        with open(pos[0], errors='replace') as f:
            res = parse_tap(f, o['label'][0], ' '.join(o['expect']).split())
        json.dump(res, sys.stdout, indent=1)
        print()
    elif cmd == 'merge':
        o, pos = opts(args, ['label', 'meta', 'check', 'part'])
        if len(pos) != 1 or not o['label']:
            sys.exit('usage: results.py merge OUT --label L ...')
        res = dict(label=o['label'][0], meta={}, tests=[], notes=[])
        for kv in o['meta']:
            k, _, v = kv.partition('=')
            res['meta'][k] = int(v) if v.isdigit() else v
        for part in o['part']:
            p = load(part)
            res['tests'] += p.get('tests', [])
            res['notes'] += p.get('notes', [])
        for kv in o['check']:
            k, _, v = kv.rpartition('=')
            ok = v == 'ok'
            res['tests'].append(dict(name=k, status='pass' if ok else 'fail',
                                     passed=int(ok), failed=int(not ok),
                                     seconds=None, notes=[] if ok else [v]))
        total_of(res)
        with open(pos[0] + '.new', 'w') as f:
            json.dump(res, f, indent=1)
            f.write('\n')
        os.replace(pos[0] + '.new', pos[0])
        print('\n'.join(line_of(res)))
        return 0 if res['failed'] == 0 else 1
    elif cmd == 'line':
        res = load(args[0])
        print('\n'.join(line_of(res)[-1:]))
        return 0 if res['failed'] == 0 else 1
    elif cmd == 'total':
        p = f = 0
        for path in args:
            res = load(path)
            print(line_of(res)[-1])
            p += res['passed']
            f += res['failed']
        if not args:
            f += 1
            print('no result files: an empty run proves nothing')
        print('%d passed, %d failed' % (p, f))
        return 0 if f == 0 else 1
    elif cmd == 'get':
        res = load(args[0])
        v = res.get('meta', {}).get(args[1], res.get(args[1], ''))
        print(' '.join(t['name'] for t in v) if args[1] == 'tests' else v)
    else:
        sys.exit(__doc__)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
