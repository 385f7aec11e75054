#!/usr/bin/env python3
"""concurrency.py -- many airlock processes on one AIRLOCK_HOME.

    concurrency.py AIRLOCK_FAKE CATALOG PROCESSES PLANS

PROCESSES `airlock serve` MCP servers run at once, each sent PLANS
plan_operation calls (CreateGadget) and an apply_plan for every fourth
plan, all written at once so that the servers' write transactions
interleave.  Afterwards every plan each server reported has its plan and
decision records (and its apply records), the audit log has exactly the
records all servers wrote, `airlock audit verify` reports an intact chain,
and nothing was applied twice.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

FAKE, CAT, NPROC, NPLAN = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
work = tempfile.mkdtemp(prefix='plans-conc-')
ENV = {k: v for k, v in os.environ.items() if not k.startswith(('AWS_', 'AIRLOCK_FAKE_'))}
ENV.update(AIRLOCK_HOME=os.path.join(work, 'home'), AIRLOCK_CATALOG=CAT,
           AWS_CONFIG_FILE='/dev/null', AWS_SHARED_CREDENTIALS_FILE='/dev/null',
           AIRLOCK_FAKE_LOG=os.path.join(work, 'calls.log'))

INIT = {'jsonrpc': '2.0', 'id': 0, 'method': 'initialize', 'params': {
    'protocolVersion': '2025-11-25', 'capabilities': {},
    'clientInfo': {'name': 'concurrency', 'version': '1'}}}
results = [None] * NPROC
errors = []


def server(k):
    p = subprocess.Popen([FAKE, 'serve'], env=ENV, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    plans = {}

    def reader():
        for line in p.stdout:
            m = json.loads(line)
            if 'id' not in m or m['id'] == 0:
                continue
            res = m.get('result', {})
            if res.get('isError') or 'error' in m:
                errors.append(f'server {k}: {line.strip()[:300]}')
                continue
            sc = res['structuredContent']
            plans.setdefault(sc['planId'], []).append(sc['state'])

    t = threading.Thread(target=reader)
    t.start()
    lines = [json.dumps(INIT)]
    for i in range(NPLAN):
        lines.append(json.dumps({'jsonrpc': '2.0', 'id': 1 + i, 'method': 'tools/call', 'params': {
            'name': 'plan_operation', 'arguments': {
                'service': 'gadgets', 'operation': 'CreateGadget',
                'input': {'Name': f'p{k}-{i}'}, 'region': 'us-east-1'}}}))
    p.stdin.write('\n'.join(lines) + '\n')
    p.stdin.flush()
    # apply every fourth plan once its plan is known
    want = {i for i in range(NPLAN) if i % 4 == 0}
    sent = 0
    deadline = time.time() + 600
    while len(plans) < NPLAN and time.time() < deadline and not errors:
        time.sleep(0.05)
    for n, pid in enumerate(sorted(plans)):
        if n % 4 == 0:
            p.stdin.write(json.dumps({'jsonrpc': '2.0', 'id': 10000 + n, 'method': 'tools/call',
                                      'params': {'name': 'apply_plan',
                                                 'arguments': {'plan_id': pid}}}) + '\n')
            sent += 1
    p.stdin.close()
    t.join(timeout=600)
    p.wait(timeout=60)
    results[k] = (plans, sent, len(want))


t0 = time.time()
threads = [threading.Thread(target=server, args=(k,)) for k in range(NPROC)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.time() - t0

failures = list(errors)
plans = {}
applies = 0
for k, r in enumerate(results):
    if r is None:
        failures.append(f'server {k} did not finish')
        continue
    pl, sent, _ = r
    if len(pl) != NPLAN:
        failures.append(f'server {k}: {len(pl)} plans of {NPLAN}')
    applies += sent
    plans.update(pl)

v = subprocess.run([FAKE, 'audit', 'verify', '--json'], env=ENV, capture_output=True, text=True)
rep = json.loads(v.stdout) if v.stdout.strip() else {}
if not rep.get('intact') or rep.get('plansAppliedTwice') != 0:
    failures.append(f'verify: {v.stdout} {v.stderr}')
x = subprocess.run([FAKE, 'audit', 'export', '--jsonl'], env=ENV, capture_output=True, text=True)
recs = [json.loads(line) for line in x.stdout.splitlines()]
by_plan = {}
for r in recs:
    by_plan.setdefault(r['planId'], []).append(r['kind'])
expected = NPROC * NPLAN * 2 + applies * 2
if len(recs) != expected:
    failures.append(f'{len(recs)} records, expected {expected}')
for pid, states in plans.items():
    kinds = by_plan.get(pid, [])
    want = ['plan', 'decision'] + (['apply_start', 'apply_outcome'] if 'Applied' in states else [])
    if kinds != want:
        failures.append(f'{pid}: records {kinds}, want {want}')
seqs = [r['seq'] for r in recs]
if seqs != list(range(1, len(recs) + 1)):
    failures.append('sequence has gaps')
calls = open(ENV['AIRLOCK_FAKE_LOG']).read().splitlines()
if len(calls) != applies or len(set(calls)) != len(calls):
    failures.append(f'{len(calls)} calls for {applies} applies')

print(f'concurrency: {NPROC} processes x {NPLAN} plans (+{applies} applies) in {elapsed:.1f} s: '
      f'{len(plans)} plans, {len(recs)} audit records, chain '
      f'{"intact" if rep.get("intact") else "BROKEN"}; {len(calls)} calls, none twice')
for f in failures[:20]:
    print(f'FAIL: {f}', file=sys.stderr)
if failures:
    print(f'concurrency: {len(failures)} failures; state kept in {work}')
    sys.exit(1)
shutil.rmtree(work, ignore_errors=True)
