#!/usr/bin/env python3
"""golden.py -- `airlock-compile dump` output against checked-in files.

  golden.py --bin airlock-compile --catalog FILE.alc --dir golden
            --prefix SERVICE [...] [--update]

Each golden/<name>.txt holds the exact bytes `dump` printed for one view,
the view being named by the file name:

  <service>.txt             dump FILE <service>
  <service>_<Operation>.txt dump FILE <service>:<Operation>
  <service>@<Shape>.txt     dump FILE <service>#<Shape>

Only files whose service is one of the --prefix values are checked (each
catalog holds its own services).  Any byte of difference fails: an
intended change of the compiler or of the dump is committed together with
the regenerated files (--update), so that the review shows it.
"""

import argparse
import difflib
import os
import subprocess
import sys

MAX_DIFF_LINES = 60


def fail(msg):
    print('golden: FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


def spec_of(name):
    base = name[:-len('.txt')]
    if '@' in base:
        svc, shape = base.split('@', 1)
        return svc, svc + '#' + shape
    if '_' in base:
        svc, op = base.rsplit('_', 1)
        return svc, svc + ':' + op
    return base, base


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--catalog', required=True)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--prefix', action='append', required=True)
    ap.add_argument('--update', action='store_true')
    a = ap.parse_args()
    files = sorted(f for f in os.listdir(a.dir) if f.endswith('.txt')
                   and spec_of(f)[0] in a.prefix)
    if not files:
        fail('no golden files for %s in %s' % (', '.join(a.prefix), a.dir))
    bad = 0
    for f in files:
        spec = spec_of(f)[1]
        p = subprocess.run([a.bin, 'dump', a.catalog, spec],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            fail('dump %s: exit %d: %s' % (spec, p.returncode,
                                            p.stderr.decode('utf-8', 'replace')))
        path = os.path.join(a.dir, f)
        if a.update:
            with open(path, 'wb') as fh:
                fh.write(p.stdout)
            continue
        with open(path, 'rb') as fh:
            want = fh.read()
        if p.stdout == want:
            continue
        bad += 1
        diff = list(difflib.unified_diff(
            want.decode('utf-8', 'replace').split('\n'),
            p.stdout.decode('utf-8', 'replace').split('\n'),
            'golden/' + f, 'dump ' + spec, lineterm='', n=2))
        print('golden: MISMATCH %s' % f, file=sys.stderr)
        for line in diff[:MAX_DIFF_LINES]:
            print(line, file=sys.stderr)
        if not diff:
            print('(bytes differ: line endings or invalid UTF-8)', file=sys.stderr)
    if a.update:
        print('golden: wrote %d files; review them before committing' % len(files))
        return
    if bad:
        fail('%d of %d golden files differ (intended? regenerate with --update '
             'and commit them with the change)' % (bad, len(files)))
    print('golden: %d files identical' % len(files))


if __name__ == '__main__':
    main()
