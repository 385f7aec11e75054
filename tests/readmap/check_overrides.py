#!/usr/bin/env python3
"""check_overrides.py -- the overrides file of `airlock-compile build`:

    check_overrides.py --bin AIRLOCK-COMPILE --models DIR --dir tests/readmap --work DIR

  1. bad-overrides.tsv (run from the source root, so that messages name it
     by a relative path): the build exits 1, writes no catalog, prints
     nothing on stdout, and its stderr is bad-overrides.err byte for byte
     (every bad line named with file:line, not just the first);
  2. good-overrides.tsv: the build succeeds, its coverage line counts the
     override, and `dump` shows the mapping exactly as the line says;
  3. no overrides: the operation is left unmapped, and --readmap-report
     lists it.
"""
import argparse
import os
import subprocess
import sys


def fail(msg):
    print('check_overrides: FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--models', required=True)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--cli-names', required=True)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    root = os.path.dirname(os.path.dirname(os.path.abspath(a.dir)))
    rel = os.path.relpath(os.path.join(a.dir, 'bad-overrides.tsv'), root)
    out = os.path.join(a.work, 'bad.alc')
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.run([a.bin, 'build', '--no-cache', '--cli-names', a.cli_names,
                        '--models', a.models, '--readmap-overrides', rel, '-o', out],
                       cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 1:
        fail('bad overrides: exit %d, want 1' % p.returncode)
    if os.path.exists(out):
        fail('bad overrides: a catalog was written')
    if p.stdout:
        fail('bad overrides: unexpected stdout %r' % p.stdout)
    want = open(os.path.join(a.dir, 'bad-overrides.err'), 'rb').read()
    if p.stderr != want:
        fail('bad overrides: stderr differs from bad-overrides.err:\n--- got\n%s--- want\n%s'
             % (p.stderr.decode(), want.decode()))
    nlines = want.decode().count('\n') - 1
    print('bad overrides: %d lines named with file:line, nothing written' % nlines)

    good = os.path.join(a.dir, 'good-overrides.tsv')
    out = os.path.join(a.work, 'good.alc')
    p = subprocess.run([a.bin, 'build', '--no-cache', '--cli-names', a.cli_names,
                        '--models', a.models, '--readmap-overrides', good, '-o', out],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        fail('good overrides: exit %d\n%s' % (p.returncode, p.stderr.decode()))
    line = p.stdout.decode()
    if '1 overrides' not in line or not line.startswith('readmap: 1 of 1 '):
        fail('good overrides: coverage line %r' % line)
    d = subprocess.run([a.bin, 'dump', out, 'tiny-notes:PutNote'], stdout=subprocess.PIPE,
                       check=True).stdout.decode()
    want = ('  readmap: ListNotes kind=update source=override state=Notes[0] '
            'args=Ids=[NoteId],Color:="red"\n')
    if want not in d:
        fail('good overrides: dump lacks %r:\n%s' % (want, d))
    print('good overrides: %s' % line.strip())

    # 3. without overrides PutNote has no mapping: the coverage line says
    #    so and --readmap-report lists it
    rep = os.path.join(a.work, 'unmapped.txt')
    out = os.path.join(a.work, 'none.alc')
    p = subprocess.run([a.bin, 'build', '--no-cache', '--cli-names', a.cli_names,
                        '--models', a.models, '--no-readmap-overrides',
                        '--readmap-report', rep, '-o', out],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        fail('no overrides: exit %d\n%s' % (p.returncode, p.stderr.decode()))
    line = p.stdout.decode()
    if not line.startswith('readmap: 0 of 1 mutating operations mapped (0.0%)'):
        fail('no overrides: coverage line %r' % line)
    got = open(rep).read()
    if got != 'tiny-notes\tPutNote\n':
        fail('--readmap-report: %r, want the one unmapped operation' % got)
    print('report: %s' % got.strip().replace('\t', ':'))


if __name__ == '__main__':
    main()
