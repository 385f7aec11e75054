#!/usr/bin/env python3
"""determinism.py -- the same models give the same catalog, byte for byte.

  determinism.py --bin airlock-compile --work DIR --models DIR [...]

Builds the catalog three times, with --threads 1, --threads 2 and --threads
2 again, and compares the files byte for byte: the result may depend
neither on the number of threads nor on which thread loads which file.
"""

import argparse
import filecmp
import os
import shutil
import subprocess
import sys


def fail(msg):
    print('determinism: FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--models', action='append', required=True)
    ap.add_argument('--cli-names')
    a = ap.parse_args()
    for d in a.models:
        if not os.path.isdir(d):
            fail('models directory %s is missing' % d)
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    outs = []
    for i, threads in enumerate((1, 2, 2)):
        out = os.path.join(a.work, 'run%d-threads%d.alc' % (i + 1, threads))
        cmd = [a.bin, 'build', '--threads', str(threads), '-o', out]
        if a.cli_names:
            cmd += ['--cli-names', a.cli_names]
        for d in a.models:
            cmd += ['--models', d]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            fail('%s: exit %d\n%s' % (' '.join(cmd), p.returncode,
                                      p.stderr.decode('utf-8', 'replace')))
        outs.append(out)
    for o in outs[1:]:
        if not filecmp.cmp(outs[0], o, shallow=False):
            fail('%s and %s differ' % (outs[0], o))
    print('determinism: %d builds (--threads 1, 2, 2) byte-identical, %d bytes'
          % (len(outs), os.path.getsize(outs[0])))
    shutil.rmtree(a.work)


if __name__ == '__main__':
    main()
