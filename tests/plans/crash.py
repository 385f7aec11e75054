#!/usr/bin/env python3
"""crash.py -- SIGKILL at random points of plan/approve/apply cycles.

    crash.py AIRLOCK_FAKE CATALOG CYCLES

Each cycle plans a DeleteGadget with a justification (`airlock plan ...
--justification`: the plan, then the request), approves it on a
pseudo-terminal, and applies it; any of the three processes may be killed
with SIGKILL at a random moment (LMDB commits, the executor's own window:
AIRLOCK_FAKE_SLEEP_MS is random).  A killed apply is tried again, which must
either succeed (the kill came before the plan was Applying) or be refused
as already applied.  Afterwards:

  - `airlock audit verify` reports an intact chain and no plan applied twice;
  - the executor's log (fsync'd before it answers) names each call once;
  - every cycle that reported success has all its records: plan, decision,
    approval_request, approval_grant, apply_start, apply_outcome succeeded;
  - every plan left Applying has an apply_start and no outcome, and is
    refused when applied again.
"""
import json
import os
import pty
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

FAKE, CAT, CYCLES = sys.argv[1], sys.argv[2], int(sys.argv[3])
seed = int(os.environ.get('PLANS_CRASH_SEED', time.time()))
rng = random.Random(seed)
work = tempfile.mkdtemp(prefix='plans-crash-')
home = os.path.join(work, 'home')
calls = os.path.join(work, 'calls.log')
ENV = {k: v for k, v in os.environ.items()
       if not k.startswith(('AWS_', 'AIRLOCK_FAKE_'))}
ENV.update(AIRLOCK_HOME=home, AIRLOCK_CATALOG=CAT, AWS_CONFIG_FILE='/dev/null',
           AWS_SHARED_CREDENTIALS_FILE='/dev/null', AIRLOCK_FAKE_LOG=calls)
KILL_P = 0.35         # chance that a step is killed, somewhere within its
took = {'plan': 0.02, 'approve': 0.05, 'apply': 0.03}  # measured run time


def step(args, env=ENV):
    """Runs one command; maybe kills it.  Returns (rc or None if killed, out)."""
    t = time.time()
    p = subprocess.Popen([FAKE, *args], env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    if rng.random() < KILL_P:
        try:
            p.wait(timeout=rng.uniform(0, took[args[0]]))
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            p.communicate()
            return None, ''
    out, err = p.communicate(timeout=60)
    took[args[0]] = 0.8 * took[args[0]] + 0.2 * (time.time() - t)
    return p.returncode, out + err


def approve(pid):
    """airlock approve on a pseudo-terminal; maybe killed after typing."""
    child, fd = pty.fork()
    if child == 0:
        try:
            os.execve(FAKE, [FAKE, 'approve', pid], ENV)
        finally:
            os._exit(127)
    out, sent, killed, t = b'', False, False, time.time()
    kill_at = t + rng.uniform(0, took['approve']) if rng.random() < KILL_P else None
    while True:
        if kill_at and time.time() >= kill_at and not killed:
            os.kill(child, signal.SIGKILL)
            killed = True
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        out += d
        if not sent and b'Type "approve"' in out:
            os.write(fd, b'approve\n')
            sent = True
    _, st = os.waitpid(child, 0)
    os.close(fd)
    if not killed:
        took['approve'] = 0.8 * took['approve'] + 0.2 * (time.time() - t)
    return None if killed else os.waitstatus_to_exitcode(st)


def export():
    p = subprocess.run([FAKE, 'audit', 'export', '--jsonl'], env=ENV, capture_output=True,
                       text=True, timeout=120)
    return [json.loads(line) for line in p.stdout.splitlines()]


t0 = time.time()
successes = {}     # plan id -> name, for cycles that reported success
kills = {'plan': 0, 'approve': 0, 'apply': 0}
reapplied = refused_again = 0
for i in range(CYCLES):
    name = f'c{i}'
    rc, out = step(['plan', 'gadgets', 'DeleteGadget', '--input', json.dumps({'Name': name}),
                    '--region', 'us-east-1', '--justification', f'cycle {i}', '--json'])
    if rc is None:
        kills['plan'] += 1
        continue
    if rc != 0:
        print(f'crash: plan {i} failed: {out}', file=sys.stderr)
        continue
    pid = json.loads(out[:out.rindex('}') + 1])['planId']
    if approve(pid) is None:
        kills['approve'] += 1
    env = dict(ENV, AIRLOCK_FAKE_SLEEP_MS=str(rng.randint(0, 30)))
    rc, out = step(['apply', pid, '--json'], env)
    if rc is None:
        kills['apply'] += 1
        # again, without killing: succeeds only if nothing was committed
        p = subprocess.run([FAKE, 'apply', pid, '--json'], env=ENV, capture_output=True,
                           text=True, timeout=60)
        if p.returncode == 0:
            reapplied += 1
            successes[pid] = name
        elif '[already_applied]' in p.stderr:
            refused_again += 1
        continue
    if rc == 0:
        successes[pid] = name

elapsed = time.time() - t0
failures = 0


def fail(msg):
    global failures
    failures += 1
    print(f'FAIL: {msg}', file=sys.stderr)


v = subprocess.run([FAKE, 'audit', 'verify', '--json'], env=ENV, capture_output=True, text=True)
rep = json.loads(v.stdout) if v.stdout.strip() else {}
if v.returncode != 0 or not rep.get('intact') or rep.get('plansAppliedTwice') != 0:
    fail(f'audit verify: {v.stdout} {v.stderr}')

# the mutating calls: reads may repeat (approve's diff reads the state)
lines = [x for x in (open(calls).read().splitlines() if os.path.exists(calls) else [])
         if not x.startswith(('Describe', 'Get', 'List'))]
if len(lines) != len(set(lines)):
    fail('a call reached the executor twice')
sent = {json.loads(line.split(' ', 1)[1])['Name'] for line in lines}

recs = export()
by_plan = {}
for r in recs:
    by_plan.setdefault(r['planId'], []).append(r)
want = ['plan', 'decision', 'approval_request', 'approval_grant', 'apply_start', 'apply_outcome']
for pid, name in successes.items():
    kinds = [r['kind'] for r in by_plan.get(pid, []) if r['kind'] not in ('apply_refused', 'diff')]
    if kinds != want:
        fail(f'cycle {name} ({pid}) reported success but its records are {kinds}')
    elif by_plan[pid][-1]['payload'].get('outcome') != 'succeeded':
        fail(f'{pid}: outcome {by_plan[pid][-1]["payload"]}')
    if name not in sent:
        fail(f'{pid}: success without a call')

applying = 0
for pid, rs in by_plan.items():
    kinds = [r['kind'] for r in rs]
    if kinds.count('apply_start') > 1:
        fail(f'{pid}: applied twice')
    if 'apply_start' in kinds and 'apply_outcome' not in kinds:
        applying += 1
        p = subprocess.run([FAKE, 'apply', pid], env=ENV, capture_output=True, text=True)
        if p.returncode != 1 or '[already_applied]' not in p.stderr:
            fail(f'{pid} (left Applying) applied again: {p.stderr}')
        s = subprocess.run([FAKE, 'show', pid, '--json'], env=ENV, capture_output=True, text=True)
        if json.loads(s.stdout)['state'] != 'Applying':
            fail(f'{pid}: not Applying')

print(f'crash: {CYCLES} cycles in {elapsed:.1f} s (seed {seed}): {len(successes)} reported '
      f'success; killed {kills["plan"]} plan, {kills["approve"]} approve, {kills["apply"]} '
      f'apply processes; after a killed apply: {reapplied} applied on retry, {refused_again} '
      f'refused as already applied; {applying} left Applying (outcome unknown, never resent); '
      f'{len(recs)} audit records, chain {"intact" if rep.get("intact") else "BROKEN"}; '
      f'{len(lines)} calls, none twice')
if failures:
    print(f'crash: {failures} failures; state kept in {work}')
    sys.exit(1)
shutil.rmtree(work, ignore_errors=True)
