#!/usr/bin/env python3
"""gen-cli-names.py -- generate catalogs/cli-names.tsv from botocore's data.

The AWS CLI names a service command after the botocore data folder of the
service (botocore/data/<name>/<api-version>/service-2.json[.gz]), whose
metadata.serviceId is the Smithy sdkId.  awscli then renames three of them
in its customizations (SERVICE_RENAMES below).  The compiler's default rule
is sdk-id lower-cased with spaces replaced by '-'; the TSV lists only the
services where the CLI name differs from that rule, so that services botocore
lacks (or that are newer than the botocore used here) keep the default.

Usage: gen-cli-names.py [--out FILE] [--check]
  --out FILE   where to write (default: cli-names.tsv next to this script)
  --check      do not write; exit 1 if FILE differs from what would be written

Needs botocore on sys.path.  If awscli is importable too, its command table is
built and compared with the result (exit 1 on disagreement), which catches
renames added by a newer awscli that SERVICE_RENAMES does not know yet.
"""

import argparse
import gzip
import json
import os
import sys

import botocore

# Service-level renames applied by awscli (v1 and v2) on top of botocore's
# folder names; each one is utils.rename_command() in a customization:
SERVICE_RENAMES = {
    # awscli/customizations/s3/s3.py: `aws s3` is the high-level command,
    # the low-level API moves to `aws s3api`.
    's3': 's3api',
    # awscli/customizations/codedeploy/codedeploy.py
    'codedeploy': 'deploy',
    # awscli/customizations/configservice/rename_cmd.py (`aws configure`
    # would otherwise be a prefix clash).
    'config': 'configservice',
}

# Services that botocore has dropped (retired by AWS) but that the model
# corpus may still carry, whose CLI name was not the default rule.  Names
# from the data folder of the last botocore that had them (checked against
# botocore 1.34.22: botocore/data/elastictranscoder, serviceId "Elastic
# Transcoder").  Used only when the current botocore lacks the sdk-id.
RETIRED = {
    'Elastic Transcoder': 'elastictranscoder',
}


def default_name(sdk_id):
    return sdk_id.lower().replace(' ', '-')


def load_service_id(folder):
    """serviceId of the newest API version under a botocore data folder, or
    None when the folder holds no service-2 model."""
    versions = sorted(v for v in os.listdir(folder)
                      if os.path.isdir(os.path.join(folder, v)))
    for version in reversed(versions):
        base = os.path.join(folder, version, 'service-2.json')
        if os.path.exists(base):
            with open(base, 'rb') as f:
                model = json.load(f)
        elif os.path.exists(base + '.gz'):
            with gzip.open(base + '.gz', 'rb') as f:
                model = json.load(f)
        else:
            continue
        return model['metadata']['serviceId']
    return None


def botocore_services():
    """{botocore service name: serviceId} from botocore's own data dir
    (not ~/.aws/models or AWS_DATA_PATH, so the output is reproducible)."""
    data = os.path.join(os.path.dirname(botocore.__file__), 'data')
    out = {}
    for name in sorted(os.listdir(data)):
        folder = os.path.join(data, name)
        if not os.path.isdir(folder):
            continue
        sid = load_service_id(folder)
        if sid is not None:
            out[name] = sid
    return out


def awscli_crosscheck(cli_of_folder):
    """Compare with awscli's real command table when awscli is importable.
    Returns (awscli version or None, list of disagreements)."""
    try:
        import awscli
        from awscli.clidriver import ServiceCommand, create_clidriver
    except ImportError:
        return None, []
    table = create_clidriver()._get_command_table()
    visible = {}
    for cmd_name, cmd in table.items():
        if not isinstance(cmd, ServiceCommand):
            continue
        if getattr(cmd, '_UNDOCUMENTED', False) and \
                cmd_name != cmd._service_name:
            continue        # hidden alias, e.g. runtime.sagemaker
        visible.setdefault(cmd._service_name, set()).add(cmd_name)
    problems = []
    for folder, cli in sorted(cli_of_folder.items()):
        names = visible.get(folder)
        if names is None:
            problems.append(f'{folder}: not a command in awscli')
        elif cli not in names:
            problems.append(f'{folder}: awscli calls it {sorted(names)}, '
                            f'we say {cli}')
    return awscli.__version__, problems


def generate():
    services = botocore_services()
    cli_of_folder = {f: SERVICE_RENAMES.get(f, f) for f in services}
    by_sid = {}
    for folder, sid in services.items():
        by_sid.setdefault(sid, []).append(cli_of_folder[folder])

    rows, notes, errors = [], [], []
    for sid in sorted(by_sid):
        if '\t' in sid or '\n' in sid or sid != sid.strip() or not sid:
            errors.append(f'unusable serviceId {sid!r}')
            continue
        clis = sorted(by_sid[sid])
        dflt = default_name(sid)
        if len(clis) > 1:
            # Several CLI commands for one sdk-id (e.g. Pinpoint SMS Voice:
            # pinpoint-sms-voice and the hidden sms-voice).  The default
            # rule settles it when it names one of them; otherwise a human
            # must decide.
            if dflt in clis:
                notes.append(f'{sid}: CLI commands {", ".join(clis)}; '
                             f'the default {dflt} is used')
                continue
            errors.append(f'{sid}: several CLI commands {clis}, none is '
                          f'the default {dflt}')
            continue
        if clis[0] != dflt:
            rows.append((sid, clis[0]))
    for sid, cli in sorted(RETIRED.items()):
        if sid in by_sid:
            continue        # botocore has it again; botocore wins
        notes.append(f'{sid}: not in this botocore; {cli} from an older one')
        if cli != default_name(sid):
            rows.append((sid, cli))
    rows.sort()

    awscli_version, problems = awscli_crosscheck(cli_of_folder)
    errors += [f'awscli disagrees: {p}' for p in problems]

    src = f'botocore {botocore.__version__} ({len(services)} services)'
    if awscli_version:
        src += f', renames checked against awscli {awscli_version}'
    lines = [
        '# cli-names.tsv -- Smithy sdkId -> AWS CLI service command name',
        '# GENERATED by catalogs/gen-cli-names.py; do not edit by hand.',
        f'# source: {src}',
        '# format: one service per line, "sdk-id<TAB>cli-name"; lines',
        '# starting with # and blank lines are ignored.  Only services whose',
        '# CLI name differs from the default rule (sdk-id lower-cased, spaces',
        '# -> "-") are listed; every other sdk-id uses the default rule.',
        '# awscli renames applied: ' + ', '.join(
            f'{k} -> {v}' for k, v in sorted(SERVICE_RENAMES.items())),
    ]
    lines += [f'# note: {n}' for n in notes]
    lines += [f'{sid}\t{cli}' for sid, cli in rows]
    return '\n'.join(lines) + '\n', errors


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=os.path.join(here, 'cli-names.tsv'))
    ap.add_argument('--check', action='store_true')
    args = ap.parse_args()

    text, errors = generate()
    for e in errors:
        print(f'gen-cli-names: {e}', file=sys.stderr)
    if errors:
        return 1
    if args.check:
        try:
            with open(args.out, encoding='utf-8') as f:
                old = f.read()
        except OSError as e:
            print(f'gen-cli-names: {e}', file=sys.stderr)
            return 1
        if old != text:
            print(f'gen-cli-names: {args.out} is stale; rerun '
                  f'catalogs/gen-cli-names.py', file=sys.stderr)
            return 1
        return 0
    tmp = args.out + '.tmp'
    with open(tmp, 'w', encoding='utf-8', newline='\n') as f:
        f.write(text)
    os.replace(tmp, args.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
