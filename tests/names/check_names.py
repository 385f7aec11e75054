#!/usr/bin/env python3
"""check_names.py -- check compiler/cc_names.c against botocore and awscli
over the whole model corpus.

  check_names.py --driver names_driver --tsv catalogs/cli-names.tsv
                 [--shared DIR]

1. Every operation shape of every model under DIR/api-models-aws and
   DIR/models-derived: names_driver's CLI name must equal
   botocore.xform_name(op, '-').  botocore's own prepopulated _xform_cache
   keys and a fixed-seed set of random identifiers are checked as well.
2. Every sdk-id of the corpus that awscli also has: cc_cli_service_name
   (through names_driver with the TSV) must be the name awscli's command
   table gives that service (awscli's documented command; hidden aliases
   such as runtime.sagemaker do not count).
3. The CLI names of all corpus services must be unique.

DIR is --shared, else $AIRLOCK_SHARED, else ../shared from the repository.
A missing corpus, botocore or awscli is a failure, never a skip.
"""

import argparse
import glob
import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_LISTED = 20


def fail(msg):
    print(f'check_names: FAIL: {msg}', file=sys.stderr)
    sys.exit(1)


def corpus_files(shared):
    files = sorted(glob.glob(os.path.join(
        shared, 'api-models-aws', '*', 'service', '*', '*.json')))
    files += sorted(glob.glob(os.path.join(
        shared, 'models-derived', '*', 'service', '*', '*.json')))
    return files


def load_corpus(shared):
    """[(file, sdk_id, [operation names])]"""
    out = []
    for f in corpus_files(shared):
        with open(f, 'rb') as fh:
            model = json.load(fh)
        shapes = model.get('shapes', {})
        sids = [v['traits']['aws.api#service']['sdkId']
                for v in shapes.values()
                if v.get('type') == 'service'
                and 'aws.api#service' in v.get('traits', {})]
        if len(sids) != 1:
            fail(f'{f}: {len(sids)} aws.api#service shapes, expected 1')
        ops = [k.split('#', 1)[1] for k, v in shapes.items()
               if v.get('type') == 'operation']
        out.append((f, sids[0], ops))
    return out


def run_driver(argv, lines):
    for s in lines:
        if '\n' in s:
            fail(f'cannot pass {s!r} to the line-based driver')
    data = ''.join(s + '\n' for s in lines).encode('utf-8')
    p = subprocess.run(argv, input=data, capture_output=True)
    if p.returncode != 0:
        fail(f'{" ".join(argv)} exited {p.returncode}: '
             f'{p.stderr.decode(errors="replace")}')
    got = p.stdout.decode('utf-8').split('\n')
    if got[-1] != '' or len(got) - 1 != len(lines):
        fail(f'{" ".join(argv)}: {len(got) - 1} lines out for '
             f'{len(lines)} in')
    return got[:-1]


def compare(what, inputs, got, want):
    bad = [(i, g, w) for i, g, w in zip(inputs, got, want) if g != w]
    for i, g, w in bad[:MAX_LISTED]:
        print(f'  {what} {i!r}: cc_names {g!r}, expected {w!r}',
              file=sys.stderr)
    if len(bad) > MAX_LISTED:
        print(f'  ... and {len(bad) - MAX_LISTED} more', file=sys.stderr)
    return len(inputs) - len(bad), len(bad)


def random_names(n, seed=20261121):
    """Identifiers that stress every branch of xform_name: acronym runs,
    digits, plural 's', underscores, the special-case suffix."""
    rng = random.Random(seed)
    pieces = ['A', 'B', 'Z', 'a', 'b', 'z', 's', 'S', '0', '9', '_',
              'Get', 'List', 'DB', 'ACL', 'ARNs', 'V2', 'IPv6', 'iSCSI',
              'HTTPS', 'Qs', 'x']
    out = set()
    while len(out) < n:
        out.add(''.join(rng.choice(pieces)
                        for _ in range(rng.randint(1, 8))))
    return sorted(out)


def awscli_names():
    """{serviceId: set of documented awscli command names}, awscli version"""
    try:
        import awscli
        from awscli.clidriver import ServiceCommand, create_clidriver
    except ImportError as e:
        fail(f'awscli is not importable ({e}); the service check needs it')
    table = create_clidriver()._get_command_table()
    by_sid = {}
    for name, cmd in table.items():
        if not isinstance(cmd, ServiceCommand):
            continue        # the high-level `aws s3`, configure, history
        if getattr(cmd, '_UNDOCUMENTED', False) and \
                name != cmd._service_name:
            continue        # hidden alias (runtime.sagemaker)
        sid = cmd.service_model.metadata['serviceId']
        by_sid.setdefault(sid, set()).add(name)
    return by_sid, awscli.__version__


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--driver', required=True)
    ap.add_argument('--tsv', required=True)
    ap.add_argument('--shared')
    args = ap.parse_args()

    shared = args.shared or os.environ.get('AIRLOCK_SHARED') or \
        os.path.join(HERE, '..', '..', '..', 'shared')
    shared = os.path.abspath(shared)
    if not os.path.isdir(os.path.join(shared, 'api-models-aws')):
        fail(f'no model corpus at {shared}/api-models-aws '
             f'(set AIRLOCK_SHARED)')
    try:
        import botocore
        from botocore import xform_name
    except ImportError as e:
        fail(f'botocore is not importable ({e})')
    # xform_name memoises into _xform_cache; keep only the prepopulated
    # exceptions, before anything calls it.
    cache_keys = sorted({k for k, sep in botocore._xform_cache
                         if sep == '-' and '\n' not in k})

    corpus = load_corpus(shared)
    if not corpus:
        fail(f'no models under {shared}')
    failed = False

    # 1. operations
    ops = [op for _, _, o in corpus for op in o]
    got = run_driver([args.driver, 'ops'], ops)
    want = [xform_name(op, '-') for op in ops]
    ok_ops, bad = compare('operation', ops, got, want)
    failed |= bad > 0

    extra = cache_keys + random_names(20000)
    got = run_driver([args.driver, 'ops'], extra)
    want = [xform_name(n, '-') for n in extra]
    ok_extra, bad = compare('name', extra, got, want)
    failed |= bad > 0

    # 2. services
    by_sid, awscli_version = awscli_names()
    sids = sorted({sid for _, sid, _ in corpus})
    got = run_driver([args.driver, 'services', args.tsv], sids)
    cli_of = dict(zip(sids, got))
    both = [s for s in sids if s in by_sid]
    bad_svc = []
    for s in both:
        names = by_sid[s]
        if cli_of[s] not in names:
            bad_svc.append((s, cli_of[s], ' | '.join(sorted(names))))
    for s, g, w in bad_svc[:MAX_LISTED]:
        print(f'  service {s!r}: cc_names {g!r}, aws cli {w!r}',
              file=sys.stderr)
    if len(bad_svc) > MAX_LISTED:
        print(f'  ... and {len(bad_svc) - MAX_LISTED} more',
              file=sys.stderr)
    failed |= bool(bad_svc)

    # 3. uniqueness of service CLI names over the corpus
    seen = {}
    for s in sids:
        seen.setdefault(cli_of[s], []).append(s)
    dups = {k: v for k, v in seen.items() if len(v) > 1}
    for k, v in sorted(dups.items())[:MAX_LISTED]:
        print(f'  CLI name {k!r} shared by {v}', file=sys.stderr)
    failed |= bool(dups)

    only_corpus = [s for s in sids if s not in by_sid]
    print(f'cli names: {ok_ops}/{len(ops)} operations match botocore; '
          f'services: {len(both) - len(bad_svc)}/{len(both)} match aws cli')
    print(f'  corpus: {len(corpus)} models, {len(sids)} sdk-ids; '
          f'botocore {botocore.__version__}, awscli {awscli_version}')
    print(f'  also: {ok_extra}/{len(extra)} extra names match botocore '
          f'({len(cache_keys)} _xform_cache exceptions + random); '
          f'{len(seen)} distinct service CLI names'
          + (f', {len(dups)} DUPLICATED' if dups else ''))
    print(f'  {len(only_corpus)} corpus sdk-ids unknown to awscli '
          f'(unchecked): ' + ', '.join(f'{s} -> {cli_of[s]}'
                                        for s in only_corpus))
    if failed:
        fail('mismatches above')
    return 0


if __name__ == '__main__':
    sys.exit(main())
