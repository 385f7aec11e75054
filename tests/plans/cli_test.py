#!/usr/bin/env python3
"""cli_test.py -- plans, approvals and the audit log through the command line.

    cli_test.py AIRLOCK_FAKE CATALOG_A CATALOG_B AIRLOCK PLANS_TAMPER

Every state transition and every refusal through `airlock plan | apply |
plans | show | approve | reject | audit`: approvals are typed on a
pseudo-terminal, as a person would; without a terminal approve refuses.
AIRLOCK_FAKE is airlock with the test executor (tests/plans/fake_exec.c);
AIRLOCK is the real binary (checked for what needs no executor).  A
second OS user approves when the test runs as root (setuid in the
pseudo-terminal's child); otherwise that part says it was not run.
"""
import hashlib
import json
import os
import pty
import shutil
import subprocess
import sys
import tempfile
import time

FAKE, CAT_A, CAT_B, REAL, TAMPER = sys.argv[1:6]
work = tempfile.mkdtemp(prefix='plans-cli-')
home = os.path.join(work, 'home')
calls = os.path.join(work, 'calls.log')
ENV = dict(os.environ)
for k in ('AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION',
          'AIRLOCK_FAKE_FAIL', 'AIRLOCK_FAKE_SLEEP_MS'):
    ENV.pop(k, None)
ENV.update(AIRLOCK_HOME=home, AIRLOCK_CATALOG=CAT_A, AWS_CONFIG_FILE='/dev/null',
           AWS_SHARED_CREDENTIALS_FILE='/dev/null', AIRLOCK_FAKE_LOG=calls)
SECRETS = ['hunter2-pw', 'apikey-77', 'out-secret-3f1c']

checks = failures = 0
transcript = []


def check(cond, what):
    global checks, failures
    checks += 1
    if not cond:
        failures += 1
        print(f'FAIL: {what}', file=sys.stderr)


def run(*args, binary=FAKE, env=None, stdin=subprocess.DEVNULL):
    """Runs airlock without a controlling terminal (a new session)."""
    p = subprocess.run([binary, *args], env=env or ENV, stdin=stdin, capture_output=True,
                       text=True, start_new_session=True, timeout=60)
    # apply prints the response it was asked for, in full (as MCP returns
    # it); everything else, and every stderr, must hold no secret
    transcript.append(p.stderr + ('' if args and args[0] == 'apply' else p.stdout))
    return p.returncode, p.stdout, p.stderr


def jrun(*args, **kw):
    rc, out, err = run(*args, '--json', **kw)
    try:
        return rc, json.loads(out) if out.strip() else None, err
    except json.JSONDecodeError:
        return rc, None, err + out


def on_pty(args, answer, uid=None, env=None):
    """Runs airlock on a pseudo-terminal and types ANSWER at the prompt."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            if uid is not None:
                os.setgid(uid)
                os.setuid(uid)
            os.execve(FAKE, [FAKE, *args], env or ENV)
        finally:
            os._exit(127)
    out, sent, deadline = b'', False, time.time() + 60
    while time.time() < deadline:
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        out += d
        if not sent and b'Type "approve"' in out:
            os.write(fd, answer.encode() + b'\n')
            sent = True
    _, st = os.waitpid(pid, 0)
    os.close(fd)
    text = out.decode(errors='replace')
    transcript.append(text)
    return os.waitstatus_to_exitcode(st), text


def plan(op, inp, *extra):
    rc, res, err = jrun('plan', 'gadgets', op, '--input', json.dumps(inp), '--region',
                        'us-east-1', *extra)
    check(res is not None, f'plan {op}: {err}')
    return rc, res or {}


def state(pid):
    rc, res, _ = jrun('show', pid)
    return (res or {}).get('state')


def refused(args, code, what, **kw):
    rc, out, err = run(*args, **kw)
    check(rc == 1 and f'[{code}]' in err, f'{what}: want [{code}], got {rc}: {err.strip()}')


# ---- Planned -> Applied; refusals of what is not applicable ---------------
rc, p = plan('CreateGadget', {'Name': 'c1', 'Password': 'hunter2-pw',
                              'Config': {'ApiKey': 'apikey-77', 'Color': 'red'}})
check(rc == 0 and p['state'] == 'Planned' and p['approvalRequired'] is False, 'Planned')
check(p['wouldSend']['input']['Password'] == '<redacted: sensitive>', 'wouldSend redacted')
check(len(p['wouldSend']['input']['ClientToken']) == 36, 'idempotency token filled')
c1 = p['planId']
rc, res, err = jrun('apply', c1)
check(rc == 0 and res['state'] == 'Applied' and res['output']['GadgetId'] == 'gid-c1', f'apply {err}')
refused(['apply', c1], 'already_applied', 'apply twice')
refused(['reject', c1], 'already_applied', 'reject applied')
# the prefix of an id works
rc, out, err = run('show', c1[:20])
check(rc == 0 and c1 in out and 'Applied' in out, 'show by prefix')

rc, p = plan('CreateGadget', {'Name': 'BAD NAME'})
check(rc == 1 and p['state'] == 'Failed' and p.get('violations'), 'Failed')
refused(['apply', p['planId']], 'state', 'apply Failed')
rc, p = plan('CreateGadget', {'Name': 'forbidden-1'})
check(rc == 1 and p['state'] == 'Denied' and p['decision']['rule'] == 'no-forbidden-names', 'Denied')
refused(['apply', p['planId']], 'policy_denies', 'apply Denied')
rc, out, err = run('plan', 'gadgets', 'FlyGadget', '--input', '{}')
check(rc == 1 and 'unknown operation' in err, 'unknown operation')
rc, out, err = run('plan', 'gadgets', 'CreateGadget', '--input', '[1]')
check(rc == 2, 'input must be an object')

# ---- approvals: Planned -> AwaitingApproval -> Approved -> Applied --------
rc, p = plan('DeleteGadget', {'Name': 'd1'})
d1 = p['planId']
check(p['state'] == 'Planned' and p['approvalRequired'] is True, 'needs approval')
refused(['apply', d1], 'approval_required', 'apply before request')
rc, out, err = run('approve', d1)
check(rc == 1 and 'AwaitingApproval' in err, 'approve before request')
rc, p = plan('DeleteGadget', {'Name': 'd2'}, '--justification', 'old gadget, unused')
d2 = p['planId']
check(rc == 0 and p['state'] == 'AwaitingApproval', 'request from the command line')
check(p['approval']['request']['justification'] == 'old gadget, unused', 'justification kept')
refused(['apply', d2], 'not_approved', 'apply while waiting')
rc, out, err = run('approve', d2)
check(rc == 1 and 'needs a terminal' in err, f'approve without a terminal: {err}')
rc, out, err = run('approve', d2, '--yes')
check(rc == 2 and 'no --yes' in err, 'no --yes')
rc, out, err = run('approve', d2, binary=REAL)
check(rc == 1 and 'needs a terminal' in err, 'the real binary: approve without a terminal')
rc, text = on_pty(['approve', d2], 'no')
check(rc == 1 and 'nothing was recorded' in text and 'DeleteGadget' in text, 'approve: no')
check(state(d2) == 'AwaitingApproval', 'still waiting')
rc, text = on_pty(['approve', d2, '--comment', 'checked', '--name', 'Alice'], 'approve')
check(rc == 0 and 'now Approved' in text, f'approve on a terminal: {text}')
rc, res, _ = jrun('show', d2)
g = res['approval']['grants'][0]
check(g['channel'] == 'cli' and g['name'] == 'Alice' and g['comment'] == 'checked' and
      g['digest'] == res['digest'], 'grant recorded')
rc, text = on_pty(['approve', d2], 'approve')
check(rc == 1, 'approve twice')
rc, res, err = jrun('apply', d2)
check(rc == 0 and res['state'] == 'Applied', f'apply approved: {err}')

# ---- rejections from Planned, AwaitingApproval and Approved ----------------
for how in ('planned', 'awaiting', 'approved'):
    extra = [] if how == 'planned' else ['--justification', 'x']
    rc, p = plan('DeleteGadget', {'Name': 'r-' + how}, *extra)
    pid = p['planId']
    if how == 'approved':
        on_pty(['approve', pid], 'approve')
        check(state(pid) == 'Approved', 'approved before rejection')
    rc, out, err = run('reject', pid, '--comment', 'no')
    check(rc == 0 and 'rejected' in out, f'reject {how}: {err}')
    check(state(pid) == 'Rejected', f'Rejected from {how}')
    refused(['apply', pid], 'state', f'apply rejected ({how})')
    rc, text = on_pty(['approve', pid], 'approve')
    check(rc == 1, 'approve rejected')

# ---- expiry: the "fast" environment approves for 2 s -----------------------
rc, p = plan('DeleteGadget', {'Name': 'e1'}, '--profile', 'fast', '--justification', 'x')
e1 = p['planId']
rc, p = plan('DeleteGadget', {'Name': 'e2'}, '--profile', 'fast', '--justification', 'x')
e2 = p['planId']
on_pty(['approve', e2], 'approve')
time.sleep(2.5)
rc, res, _ = jrun('plans', '--state', 'Expired')
ids = [x['planId'] for x in res['plans']]
check(e1 in ids and e2 in ids, 'listing expires what is due')
refused(['apply', e2], 'expired', 'apply expired')
rc, text = on_pty(['approve', e1], 'approve')
check(rc == 1 and 'Expired' in text, 'approve expired')

# ---- two approvers (environment prod): distinct OS users -------------------
rc, p = plan('DeleteGadget', {'Name': 'two'}, '--profile', 'prod', '--justification', 'x')
two = p['planId']
check(p['approval']['approvers'] == 2, 'two approvers')
rc, text = on_pty(['approve', two], 'approve')
check(rc == 0 and 'another person' in text, 'first approval')
check(state(two) == 'AwaitingApproval', 'one of two')
rc, text = on_pty(['approve', two], 'approve')
check(rc == 1 and 'duplicate_approver' in text, 'the same person twice')
refused(['apply', two], 'not_approved', 'apply with one of two')
if os.geteuid() == 0:
    # a second OS user: let it read and write the state
    for d, _, files in os.walk(home):
        os.chmod(d, 0o777)
        for f in files:
            os.chmod(os.path.join(d, f), 0o666)
    os.chmod(work, 0o777)
    rc, text = on_pty(['approve', two], 'approve', uid=65534)
    check(rc == 0 and 'now Approved' in text, f'second person: {text}')
    rc, res, err = jrun('apply', two)
    check(rc == 0 and res['state'] == 'Applied', f'apply two approvals: {err}')
else:
    print('cli_test: the second-person approval needs root (setuid); not run', file=sys.stderr)

# ---- the changed catalog: policy now denies, approval now required ---------
rc, p = plan('DeleteGadget', {'Name': 'b1'}, '--justification', 'x')
b1 = p['planId']
on_pty(['approve', b1], 'approve')
refused(['apply', b1, '--catalog', CAT_B], 'policy_denies', 'policy now denies')
check(state(b1) == 'Approved', 'still approved under A')
rc, p = plan('CreateGadget', {'Name': 'b2'})
refused(['apply', p['planId'], '--catalog', CAT_B], 'approval_required', 'approval now required')

# ---- a channel the policy does not accept (approved by elicitation) --------
rc, p = plan('DetachGadget', {'Name': 'b3'})
b3 = p['planId']
srv = subprocess.Popen([FAKE, 'serve', '--catalog', CAT_A], env=ENV, stdin=subprocess.PIPE,
                       stdout=subprocess.PIPE, text=True, start_new_session=True)


def send(m):
    srv.stdin.write(json.dumps(m) + '\n')
    srv.stdin.flush()


send({'jsonrpc': '2.0', 'id': 1, 'method': 'initialize', 'params': {
    'protocolVersion': '2025-11-25', 'capabilities': {'elicitation': {}},
    'clientInfo': {'name': 'cli_test', 'version': '1'}}})
send({'jsonrpc': '2.0', 'id': 2, 'method': 'tools/call', 'params': {
    'name': 'request_approval', 'arguments': {'plan_id': b3, 'justification': 'detach it'}}})
result = None
while result is None:
    m = json.loads(srv.stdout.readline())
    if m.get('method') == 'elicitation/create':
        check('DetachGadget' in m['params']['message'], 'the question shows the plan')
        send({'jsonrpc': '2.0', 'id': m['id'], 'result': {
            'action': 'accept', 'content': {'decision': 'approve', 'name': 'Bob'}}})
    elif m.get('id') == 2:
        result = m['result']
srv.stdin.close()
srv.wait(timeout=30)
check(result['structuredContent']['state'] == 'Approved', f'approved by elicitation: {result}')
refused(['apply', b3, '--catalog', CAT_B], 'channel_not_accepted', 'elicitation no longer accepted')

# ---- changed digest -----------------------------------------------------------
rc, p = plan('DeleteGadget', {'Name': 'dg1'}, '--justification', 'x')
dg = p['planId']
on_pty(['approve', dg], 'approve')
t = subprocess.run([TAMPER, home, 'plan', dg, '"Name":"dg1"', '"Name":"dg2"'])
check(t.returncode == 0, 'tampered')
refused(['apply', dg], 'digest_changed', 'changed digest')
rc, out, err = run('show', dg)
check('CHANGED' in out, 'show says the digest no longer matches')

# ---- ApplyFailed ------------------------------------------------------------------
rc, p = plan('CreateGadget', {'Name': 'f1'})
env = dict(ENV, AIRLOCK_FAKE_FAIL='1', AIRLOCK_FAKE_ATTEMPTS='3')
rc, out, err = run('apply', p['planId'], env=env)
check(rc == 1 and 'ThrottlingException' in err and '3 attempts' in err, f'ApplyFailed: {err}')
check(state(p['planId']) == 'ApplyFailed', 'ApplyFailed state')
refused(['apply', p['planId']], 'already_applied', 'apply after ApplyFailed')

# ---- listing: pending first -------------------------------------------------------
rc, res, _ = jrun('plans')
order = {'AwaitingApproval': 0, 'Approved': 1, 'Planned': 2, 'Applying': 3}
ranks = [order.get(x['state'], 9) for x in res['plans']]
check(ranks == sorted(ranks) and ranks[0] < 9, f'pending first: {[x["state"] for x in res["plans"]]}')
rc, out, err = run('plans', '--state', 'Applied')
check(rc == 0 and c1 in out and d1 not in out, 'plans --state')
rc, out, err = run('plans', '--state', 'Nope')
check(rc == 2, 'bad --state')

# ---- the audit log -------------------------------------------------------------------
rc, out, err = run('audit', 'verify')
check(rc == 0 and 'intact' in out, f'verify: {out} {err}')
rc, out, err = run('audit', 'export', '--jsonl')
recs = [json.loads(line) for line in out.splitlines()]
check(rc == 0 and len(recs) > 40, 'export')
prev = '0' * 64
for i, r in enumerate(recs):
    check(r['seq'] == i + 1 and r['prev'] == prev, f'chain at {i + 1}')
    prev = r['hash']
kinds = {r['kind'] for r in recs}
for k in ('plan', 'decision', 'approval_request', 'approval_prompt', 'approval_grant',
          'approval_reject', 'expiry', 'apply_refused', 'apply_start', 'apply_retry',
          'apply_outcome'):
    check(k in kinds, f'a {k} record')
rc, res, _ = jrun('audit', 'list', '--plan', d2)
# each `airlock approve` on the terminal showed a fresh diff (tests/diff): two
check([r['kind'] for r in res] == ['plan', 'decision', 'approval_request', 'apply_refused',
                                   'diff', 'diff', 'approval_grant', 'apply_start',
                                   'apply_outcome'],
      f'records of d2: {[r["kind"] for r in res]}')
tx = res[-1]['txId']
rc, res, _ = jrun('audit', 'list', '--tx', tx)
check([r['kind'] for r in res] == ['apply_start', 'apply_outcome'], 'records of one transaction')
rc, out, err = run('audit', 'show', '3')
check(rc == 0 and json.loads(out)['seq'] == 3, 'show by seq')
rc, out, err = run('audit', 'show', recs[4]['opId'])
check(rc == 0 and json.loads(out)['seq'] == 5, 'show by op id')
rc, res, _ = jrun('audit', 'list', '--since', recs[-3]['time'])
check(len(res) >= 3 and res[0]['time'] >= recs[-3]['time'], 'list --since')
rc, out, err = run('audit', 'list')
check(rc == 0 and 'approval_grant' in out, 'list for people')
rc, out, err = run('audit', 'export')
check(rc == 2, 'export needs --jsonl')
# tampering is found
t = subprocess.run([TAMPER, home, 'audit', '2', '"decision"', '"decisioN"'])
check(t.returncode == 0, 'audit tampered')
rc, out, err = run('audit', 'verify')
check(rc == 1 and 'BROKEN at record 3' in out, f'verify finds it: {out}')
rc, res, _ = jrun('audit', 'verify')
check(rc == 1 and res['intact'] is False and res['badSeq'] == 3, 'verify --json')
t = subprocess.run([TAMPER, home, 'audit', '2', '"decisioN"', '"decision"'])
rc, out, err = run('audit', 'verify')
check(rc == 0, 'repaired')

# ---- no secret anywhere a person or a log sees ------------------------------------------
every = '\n'.join(transcript) + out
for s in SECRETS:
    check(s not in every, f'secret {s} printed')
rc, out, err = run('audit', 'export', '--jsonl')
for s in SECRETS:
    check(s not in out, f'secret {s} in the audit log')
# nothing was executed twice (reads may be: approve's diff reads the state)
lines = [x for x in open(calls).read().splitlines()
         if not x.startswith(('Describe', 'Get', 'List'))]
check(len(lines) == len(set(lines)), 'every call reached the executor once')

# ---- failing closed -----------------------------------------------------------------------
rc, out, err = run('plans', env=dict(ENV, AIRLOCK_HOME='/proc/nope'))
check(rc == 4 and 'cannot be used' in err, f'unusable state: {err}')
rc, out, err = run('apply', c1, '--catalog', '/nonexistent.alc')
check(rc == 3, 'missing catalog')

print(f'cli_test: {checks} checks, {failures} failures')
if failures == 0:
    shutil.rmtree(work, ignore_errors=True)
else:
    print(f'cli_test: state kept in {work}')
sys.exit(1 if failures else 0)
