#!/usr/bin/env python3
"""check_info.py -- `airlock-compile info` (and the command-line contract of
info and dump) on a catalog built from --models.

  check_info.py --bin airlock-compile --catalog FILE.alc --models DIR [...]

Checks that `info --json --services --manifest` is valid JSON and agrees
with itself and with the files: the file size; the sections and the
overhead add up to the file; sections are 8-aligned and do not overlap;
the header counts equal the per-service sums; one manifest entry per model
file, with its size and Smithy version.  The text forms must print the same
checksum.  Usage errors exit 2, a missing or foreign file and a failed
lookup exit 1, each with a message on stderr.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys


def fail(msg):
    print('check_info: FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


def run(cmd, want_rc=0):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != want_rc:
        fail('%s: exit %d, expected %d\n%s' % (' '.join(cmd), p.returncode,
                                               want_rc, p.stderr.decode()))
    if want_rc and not p.stderr:
        fail('%s: exit %d without a message' % (' '.join(cmd), want_rc))
    return p.stdout.decode('utf-8', 'surrogateescape')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--catalog', required=True)
    ap.add_argument('--models', action='append', required=True)
    a = ap.parse_args()
    B, C = a.bin, a.catalog

    info = json.loads(run([B, 'info', C, '--json', '--services', '--manifest']))
    size = os.path.getsize(C)
    if info['file_size'] != size:
        fail('file_size %d, the file has %d bytes' % (info['file_size'], size))
    if not re.fullmatch(r'[0-9a-f]{32}', info['checksum']):
        fail('checksum %r is not 32 hex digits' % info['checksum'])
    if not info['compiler_version'].startswith('airlock-compile '):
        fail('compiler_version %r' % info['compiler_version'])
    secs = sorted(info['sections'], key=lambda s: s['offset'])
    total = info['overhead_bytes']
    end = 0
    for s in secs:
        if s['offset'] % 8:
            fail('section %s at %d is not 8-aligned' % (s['name'], s['offset']))
        if s['offset'] < end:
            fail('section %s overlaps the one before' % s['name'])
        if s['bytes'] != s['entsize'] * s['records']:
            fail('section %s: %d bytes != %d x %d' % (s['name'], s['bytes'],
                                                      s['entsize'], s['records']))
        end = s['offset'] + s['bytes']
        total += s['bytes']
    if total != size or end > size:
        fail('sections + overhead = %d bytes, file %d' % (total, size))
    pct = sum(s['percent'] for s in secs) + 100.0 * info['overhead_bytes'] / size
    if abs(pct - 100.0) > 0.005 * len(secs) + 0.01:
        fail('section percentages and overhead add up to %.2f%%' % pct)
    counts = info['counts']
    svcs = info['services']
    if counts['services'] != len(svcs) or \
            counts['operations'] != sum(s['operations'] for s in svcs):
        fail('header counts disagree with the service table')
    if counts['shapes'] < sum(s['shapes'] for s in svcs):
        fail('fewer shapes than the services own')
    if [s['key'] for s in svcs] != sorted(s['key'] for s in svcs):
        fail('services are not sorted by key')

    files = {}
    for d in a.models:
        for f in glob.glob(os.path.join(d, '*', 'service', '*', '*.json')):
            files[os.path.relpath(f, d)] = f
    man = info['manifest']
    if len(man) != len(files) or len(man) != counts['models']:
        fail('%d manifest entries, %d model files, counts.models %d'
             % (len(man), len(files), counts['models']))
    for m in man:
        f = files.get(m['path'])
        if f is None:
            fail('manifest path %s is no model file' % m['path'])
        if os.path.getsize(f) != m['size']:
            fail('%s: manifest size %d, file %d' % (m['path'], m['size'],
                                                     os.path.getsize(f)))
        with open(f, 'rb') as fh:
            ver = json.load(fh).get('smithy')
        if ver != m['smithy_version'] or not re.fullmatch(r'[0-9a-f]{32}', m['digest']):
            fail('%s: manifest smithy %r digest %r' % (m['path'], m['smithy_version'],
                                                      m['digest']))
        if counts['models_bytes'] < m['size']:
            fail('models_bytes too small')

    text = run([B, 'info', C])
    if 'checksum: xxh3-128 %s\n' % info['checksum'] not in text:
        fail('text info does not show the checksum %s' % info['checksum'])
    for sec in secs:
        if not re.search(r'\n +%d %s ' % (sec['id'], sec['name']), text):
            fail('text info does not list section %s' % sec['name'])
    text = run([B, 'info', '--services', '--manifest', C])
    for s in svcs[:50]:
        if '\n  %s ' % s['key'] not in text:
            fail('info --services does not list %s' % s['key'])
    for m in man[:50]:
        if '\n  %s  %d bytes  xxh3-128 %s' % (m['path'], m['size'], m['digest']) not in text:
            fail('info --manifest does not list %s' % m['path'])

    # The command-line contract.
    some = svcs[0]['key']
    model = next(iter(files.values()))
    run([B, 'info'], 2)
    run([B, 'info', C, '--bogus'], 2)
    run([B, 'info', C + '.missing'], 1)
    run([B, 'info', model], 1)
    run([B, 'dump', C], 2)
    run([B, 'dump', C, some, some], 2)
    run([B, 'dump', C, '--shape'], 2)
    run([B, 'dump', C, 'no-such-service'], 1)
    run([B, 'dump', C, some + ':NoSuchOperation'], 1)
    run([B, 'dump', C, some + '#NoSuchShape'], 1)
    run([B, 'dump', C, '--shape', 'no.such#Shape'], 1)
    run([B, 'dump', C + '.missing', some], 1)
    out = run([B, 'dump', C, '--shape', 'smithy.api#String'])
    if out != 'shapes of smithy.api#String\n\nshape smithy.api#String: string\n':
        fail('dump --shape smithy.api#String printed %r' % out)
    print('check_info: %s: %d bytes, %d sections, %d services, %d operations, '
          '%d model files: consistent' % (os.path.basename(C), size, len(secs),
                                           len(svcs), counts['operations'], len(man)))


if __name__ == '__main__':
    main()
