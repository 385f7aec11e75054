#!/usr/bin/env python3
"""roundtrip.py -- what the catalog holds, checked against the model JSON.

  roundtrip.py --bin airlock-compile --catalog FILE.alc --models DIR [...]
               (--op SERVICE:Operation ... | --ops-file FILE | --all)
               [--shape SERVICE#ShapeName ...]

For each operation, `airlock-compile dump FILE SERVICE:Operation` is
compared line by line with the same view rendered by smithy_view.py
straight from the service's model file (found through the catalog's
manifest, under one of the --models directories).  --all compares every
operation of every service (one `dump SERVICE:*` per service).  Any
difference fails the test and is shown as a unified diff.

Operation CLI names come from botocore.xform_name, the AWS CLI's own rule.
"""

import argparse
import difflib
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smithy_view  # noqa: E402

MAX_DIFF_LINES = 60


def fail(msg):
    print('roundtrip: FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        fail('%s: exit %d\n%s' % (' '.join(cmd), p.returncode,
                                  p.stderr.decode('utf-8', 'replace')))
    return p.stdout.decode('utf-8', 'surrogateescape')


def cli_name_fn():
    try:
        from botocore import xform_name
    except ImportError:
        fail('botocore is needed for operation CLI names (pip install botocore)')
    return lambda op: xform_name(op, '-')


class Corpus:
    def __init__(self, binary, catalog, dirs):
        info = json.loads(run([binary, 'info', catalog, '--json', '--manifest',
                               '--services']))
        self.files = {}
        for m in info['manifest']:
            for d in dirs:
                p = os.path.join(d, m['path'])
                if os.path.isfile(p):
                    self.files[m['service']] = p
                    break
            else:
                fail('%s: model file %s not under any --models directory'
                     % (m['service'], m['path']))
        self.services = [s['key'] for s in info['services']]
        self.models = {}

    def model(self, key):
        if key not in self.models:
            if key not in self.files:
                fail('no service %s in the catalog' % key)
            self.models[key] = smithy_view.Model(self.files[key])
        return self.models[key]


def compare(label, got, want):
    # "readmap:" lines are the compiler's own inference, not a model fact
    # smithy_view.py could render: tests/readmap checks them.
    got = [l for l in got if not l.startswith('  readmap: ')]
    if got == want:
        return True
    diff = list(difflib.unified_diff(want, got, 'model:' + label,
                                     'dump:' + label, lineterm='', n=2))
    print('roundtrip: MISMATCH %s (%d diff lines)' % (label, len(diff)),
          file=sys.stderr)
    for line in diff[:MAX_DIFF_LINES]:
        print(line, file=sys.stderr)
    if len(diff) > MAX_DIFF_LINES:
        print('...', file=sys.stderr)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--catalog', required=True)
    ap.add_argument('--models', action='append', required=True)
    ap.add_argument('--op', action='append', default=[])
    ap.add_argument('--ops-file')
    ap.add_argument('--shape', action='append', default=[])
    ap.add_argument('--all', action='store_true')
    a = ap.parse_args()
    for d in a.models:
        if not os.path.isdir(d):
            fail('models directory %s is missing' % d)

    ops = list(a.op)
    if a.ops_file:
        with open(a.ops_file) as f:
            for line in f:
                line = line.split('#', 1)[0].strip()
                if line:
                    ops.append(line)
    corpus = Corpus(a.bin, a.catalog, a.models)
    xform = cli_name_fn()
    ok = True
    nops = nshapes = nlines = 0

    def op_view(model, name):
        return smithy_view.operation_lines(model, name, xform(name))

    if a.all:
        for key in corpus.services:
            model = corpus.model(key)
            got = run([a.bin, 'dump', a.catalog, key + ':*']).split('\n')
            want = []
            for i, name in enumerate(sorted(model.ops_by_name)):
                if i:
                    want.append('')
                want.extend(op_view(model, name))
            want.append('')
            ok &= compare(key + ':*', got, want)
            nops += len(model.ops_by_name)
            nlines += len(got)
            corpus.models.pop(key, None)  # keep memory flat
    for spec in ops:
        # Any name the catalog accepts; the header names the operation.
        got = run([a.bin, 'dump', a.catalog, spec]).split('\n')
        head = got[0].split(' ', 1)
        if len(head) != 2 or head[0] != 'operation' or ':' not in head[1]:
            fail('dump %s: unexpected first line %r' % (spec, got[0]))
        key, _, name = head[1].partition(':')
        asked = spec.partition(':')[2].lower()
        if asked not in (name.lower(), xform(name)):
            fail('dump %s printed operation %s' % (spec, head[1]))
        model = corpus.model(key)
        if name not in model.ops_by_name:
            fail('%s: the model has no operation %s' % (key, name))
        want = op_view(model, name) + ['']
        ok &= compare(spec, got, want)
        nops += 1
        nlines += len(got)
    for spec in a.shape:
        key, _, name = spec.partition('#')
        model = corpus.model(key)
        sid = model.ns + '#' + name
        if sid not in model.shapes:
            fail('%s: the model has no shape %s' % (key, sid))
        got = run([a.bin, 'dump', a.catalog, spec]).split('\n')
        want = smithy_view.shape_lines(model, sid) + ['']
        ok &= compare(spec, got, want)
        nshapes += 1
        nlines += len(got)
    if not ok:
        fail('the catalog differs from the models (diffs above)')
    print('roundtrip: %d operations, %d shapes, %d dump lines: identical'
          % (nops, nshapes, nlines))


if __name__ == '__main__':
    main()
