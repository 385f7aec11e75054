#!/usr/bin/env python3
"""bad_models.py -- builds that must fail, cleanly.

  bad_models.py --bin airlock-compile --bad tests/catalog/bad --work DIR
                [--cli-names FILE] [--case NAME | --keep-going | --output-dir
                 --tiny DIR] [--update]

Each case is a models directory bad/<case>/ (<sdk>/service/<ver>/<file>.json)
whose build must fail.  The build runs in bad/ with `--models <case>`, so
the messages name the model file by a stable relative path.  For a case:

  1. into an empty directory: exit status 1, stderr byte for byte equal to
     bad/<case>.stderr (the file and the JSON path of each problem), and the
     directory still empty afterwards: no output, no temporary file;
  2. over an existing output file: the same, and that file untouched (same
     bytes, same modification time), nothing else in the directory.

--keep-going builds every case at once (one --models per case, in name
order) with and without --keep-going: the first reports every bad file
(bad/all-keep-going.stderr), the second only the first one
(bad/all-first.stderr); neither writes anything.

--output-dir builds a valid model (--tiny) with -o naming an existing
directory: the rename fails, the build exits 1, and no temporary file is
left beside it.

--update rewrites the expected .stderr files from the current output (for
review, then commit).
"""

import argparse
import os
import shutil
import subprocess
import sys

SENTINEL = b'not a catalog: must survive a failed build\n'


def fail(msg):
    print('bad_models: FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


def fresh(d):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def build(a, models, out, extra=()):
    cmd = [a.bin, 'build', '--threads', '2']
    if a.cli_names:
        cmd += ['--cli-names', a.cli_names]
    for m in models:
        cmd += ['--models', m]
    cmd += list(extra) + ['-o', out]
    p = subprocess.run(cmd, cwd=a.bad, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


def expect_stderr(a, name, got):
    path = os.path.join(a.bad, name)
    if a.update:
        with open(path, 'wb') as f:
            f.write(got)
        print('bad_models: wrote %s' % path)
        return
    if not os.path.exists(path):
        fail('%s is missing (run with --update, review, commit)' % path)
    with open(path, 'rb') as f:
        want = f.read()
    if got != want:
        fail('stderr differs from %s\n--- expected\n%s--- got\n%s'
             % (name, want.decode('utf-8', 'replace'),
                got.decode('utf-8', 'replace')))


def check_failed(label, rc, out, err):
    if rc != 1:
        fail('%s: exit status %d, expected 1\n%s' % (label, rc, err.decode()))
    if out:
        fail('%s: unexpected stdout %r' % (label, out))
    if not err:
        fail('%s: no message on stderr' % label)


def check_dir(label, work, expected):
    left = sorted(os.listdir(work))
    if left != sorted(expected):
        fail('%s: %s holds %s after a failed build, expected %s'
             % (label, work, left, sorted(expected)))


def run_case(a, case):
    if not os.path.isdir(os.path.join(a.bad, case)):
        fail('no case directory %s' % case)
    work = fresh(os.path.join(a.work, case))
    out = os.path.join(work, 'out.alc')
    rc, so, se = build(a, [case], out)
    check_failed(case, rc, so, se)
    expect_stderr(a, case + '.stderr', se)
    check_dir(case, work, [])

    with open(out, 'wb') as f:
        f.write(SENTINEL)
    st = os.stat(out)
    rc, so, se2 = build(a, [case], out)
    check_failed(case + ' (over an existing file)', rc, so, se2)
    if se2 != se:
        fail('%s: messages differ between runs' % case)
    check_dir(case + ' (over an existing file)', work, ['out.alc'])
    with open(out, 'rb') as f:
        if f.read() != SENTINEL:
            fail('%s: the existing output file was modified' % case)
    if os.stat(out).st_mtime_ns != st.st_mtime_ns:
        fail('%s: the existing output file was touched' % case)
    print('bad_models: %s: exit 1, %d message lines, nothing written'
          % (case, se.count(b'\n')))


def cases(a):
    return sorted(d for d in os.listdir(a.bad)
                  if os.path.isdir(os.path.join(a.bad, d)))


def run_keep_going(a):
    all_cases = cases(a)
    work = fresh(os.path.join(a.work, 'keep-going'))
    out = os.path.join(work, 'out.alc')
    rc, so, se = build(a, all_cases, out, ['--keep-going'])
    check_failed('--keep-going', rc, so, se)
    expect_stderr(a, 'all-keep-going.stderr', se)
    check_dir('--keep-going', work, [])
    rc, so, se1 = build(a, all_cases, out)
    check_failed('without --keep-going', rc, so, se1)
    expect_stderr(a, 'all-first.stderr', se1)
    check_dir('without --keep-going', work, [])
    # Every file that failed alone must be named by --keep-going.
    for case in all_cases:
        if case == 'duplicate-service':
            continue  # a conflict between files, checked once all load
        if ('%s/' % case).encode() not in se:
            fail('--keep-going did not report %s' % case)
    print('bad_models: --keep-going: %d message lines from %d cases; '
          'without it: %d lines' % (se.count(b'\n'), len(all_cases),
                                    se1.count(b'\n')))


def run_output_dir(a):
    work = fresh(os.path.join(a.work, 'output-dir'))
    target = os.path.join(work, 'catalog.alc')
    os.makedirs(target)
    rc, so, se = build(a, [os.path.abspath(a.tiny)], target)
    check_failed('-o DIRECTORY', rc, so, se)
    check_dir('-o DIRECTORY', work, ['catalog.alc'])
    if os.listdir(target):
        fail('-o DIRECTORY: files appeared inside it')
    print('bad_models: -o DIRECTORY: exit 1, no temporary file left')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--bad', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--cli-names')
    ap.add_argument('--case')
    ap.add_argument('--keep-going', action='store_true')
    ap.add_argument('--output-dir', action='store_true')
    ap.add_argument('--tiny')
    ap.add_argument('--update', action='store_true')
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    a.work = os.path.abspath(a.work)
    if a.case:
        run_case(a, a.case)
    elif a.keep_going:
        run_keep_going(a)
    elif a.output_dir:
        if not a.tiny:
            fail('--output-dir needs --tiny DIR')
        run_output_dir(a)
    else:
        for case in cases(a):
            run_case(a, case)
        run_keep_going(a)


if __name__ == '__main__':
    main()
