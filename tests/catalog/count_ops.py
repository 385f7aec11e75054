#!/usr/bin/env python3
"""count_ops.py -- services and operations per service, counted from the
model JSON, against `airlock-compile info --services --json`.

  count_ops.py --bin airlock-compile --catalog FILE.alc --models DIR [...]
               [--expect-services N] [--expect-operations N]

Counted here without the compiler: every <sdk>/service/<version>/*.json
under each --models directory is one service (the shape of type
"service"), keyed by its sdkId in lower case with blanks as '-'.  Its
operations are those bound to the service shape and, recursively, to its
resources (create, put, read, update, delete, list, operations,
collectionOperations, resources), each operation id once.  Its shapes are
those reachable from the operations' input, output and errors and from the
service's errors, through list/map/structure/union members, prelude
shapes (smithy.api#...) excluded.

Fails on any difference, naming the services that differ.
"""

import argparse
import glob
import json
import os
import subprocess
import sys

MAX_LISTED = 20


def fail(msg):
    print('count_ops: FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


def member_targets(shapes, s, depth):
    """Targets of the members of S, its mixins' (recursively) included."""
    out = [m['target'] for m in s.get('members', {}).values()]
    if depth < 16:
        for mx in s.get('mixins', []):
            out.extend(member_targets(shapes, shapes[mx['target']], depth + 1))
    return out


def count_model(path):
    with open(path, 'rb') as f:
        shapes = json.load(f)['shapes']
    svcs = [k for k, v in shapes.items() if v.get('type') == 'service']
    if len(svcs) != 1:
        fail('%s: %d service shapes' % (path, len(svcs)))
    svc = shapes[svcs[0]]
    sdk = svc['traits']['aws.api#service']['sdkId']
    key = ''.join('-' if c == ' ' else c.lower() if 'A' <= c <= 'Z' else c
                  for c in sdk)

    ops, seen_res = set(), set()

    def walk(owner):
        for k in ('create', 'put', 'read', 'update', 'delete', 'list'):
            if k in owner:
                ops.add(owner[k]['target'])
        for k in ('operations', 'collectionOperations'):
            ops.update(r['target'] for r in owner.get(k, []))
        for r in owner.get('resources', []):
            if r['target'] not in seen_res:
                seen_res.add(r['target'])
                walk(shapes[r['target']])

    walk(svc)

    reach = set()
    todo = [e['target'] for e in svc.get('errors', [])]
    for o in ops:
        op = shapes[o]
        for k in ('input', 'output'):
            if k in op:
                todo.append(op[k]['target'])
        todo.extend(e['target'] for e in op.get('errors', []))
    while todo:
        sid = todo.pop()
        if sid in reach or sid.startswith('smithy.api#'):
            continue
        reach.add(sid)
        s = shapes[sid]
        for k in ('member', 'key', 'value'):
            if k in s:
                todo.append(s[k]['target'])
        if s['type'] in ('structure', 'union'):
            todo.extend(member_targets(shapes, s, 0))
    return key, len(ops), len(reach)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--catalog', required=True)
    ap.add_argument('--models', action='append', required=True)
    ap.add_argument('--expect-services', type=int)
    ap.add_argument('--expect-operations', type=int)
    a = ap.parse_args()

    want = {}
    for d in a.models:
        files = sorted(glob.glob(os.path.join(d, '*', 'service', '*', '*.json')))
        if not files:
            fail('no model files under %s (is the shared corpus missing?)' % d)
        for f in files:
            key, nops, nshapes = count_model(f)
            if key in want:
                fail('%s: service %s defined twice' % (f, key))
            want[key] = (nops, nshapes)

    p = subprocess.run([a.bin, 'info', a.catalog, '--services', '--json'],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        fail('info exited %d: %s' % (p.returncode, p.stderr.decode()))
    info = json.loads(p.stdout)
    got = {s['key']: (s['operations'], s['shapes']) for s in info['services']}

    problems = []
    for k in sorted(set(want) | set(got)):
        if k not in got:
            problems.append('%s: in the models, not in the catalog' % k)
        elif k not in want:
            problems.append('%s: in the catalog, not in the models' % k)
        elif want[k] != got[k]:
            problems.append('%s: models %d operations / %d shapes, catalog '
                            '%d / %d' % (k, want[k][0], want[k][1],
                                         got[k][0], got[k][1]))
    nsvc = len(want)
    nops = sum(v[0] for v in want.values())
    if info['counts']['services'] != len(got) or \
            info['counts']['operations'] != sum(v[0] for v in got.values()):
        problems.append('header counts %d services / %d operations disagree '
                        'with the per-service table'
                        % (info['counts']['services'], info['counts']['operations']))
    if a.expect_services is not None and nsvc != a.expect_services:
        problems.append('expected %d services in the models, found %d'
                        % (a.expect_services, nsvc))
    if a.expect_operations is not None and nops != a.expect_operations:
        problems.append('expected %d operations in the models, found %d'
                        % (a.expect_operations, nops))
    if problems:
        for line in problems[:MAX_LISTED]:
            print('count_ops: ' + line, file=sys.stderr)
        if len(problems) > MAX_LISTED:
            print('count_ops: ... %d more' % (len(problems) - MAX_LISTED),
                  file=sys.stderr)
        fail('%d differences' % len(problems))
    print('%d services, %d operations: all per-service counts match'
          % (nsvc, nops))
    print('(%d shapes reachable from them: all per-service shape counts match)'
          % sum(v[1] for v in want.values()))


if __name__ == '__main__':
    main()
