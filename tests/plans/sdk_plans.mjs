// sdk_plans.mjs -- plans, approvals and the audit log over MCP with the
// official TypeScript clients:
//   - @modelcontextprotocol/sdk (v1, initialize, 2025-11-25): elicitation
//     through elicitation/create requests from the server;
//   - @modelcontextprotocol/client (v2, stateless 2026-07-28): elicitation
//     through input_required results the client fulfils and retries;
//   - raw JSON-RPC for what no SDK call exposes (a forged requestState).
// Every state transition and every refusal (expired, changed digest,
// already applied, policy now denies, approval now required, a channel the
// policy does not accept, not approved, approval required), elicitation
// accept / decline / cancel in both eras, a critical plan never asked in
// the client, and tool results checked against their output schemas by
// the SDKs.
//
//   node sdk_plans.mjs AIRLOCK_FAKE CATALOG_A CATALOG_B AIRLOCK PLANS_TAMPER
//
// Run by ctest (plans.sdk) from the build tree, beside the packages that
// mcp.npm installed.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdio } from '@modelcontextprotocol/client/stdio';

const [fake, catA, catB, real, tamper] = process.argv.slice(2);
if (!tamper) {
  console.error('usage: node sdk_plans.mjs AIRLOCK_FAKE CATALOG_A CATALOG_B AIRLOCK PLANS_TAMPER');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'plans-sdk-'));
const home = join(work, 'home');
const env = Object.fromEntries(Object.entries(process.env).filter(
  ([k]) => !k.startsWith('AWS_') && !k.startsWith('AIRLOCK_')));
Object.assign(env, {
  AIRLOCK_HOME: home, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AIRLOCK_FAKE_LOG: join(work, 'calls.log'),
});

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n     ${(e && e.stack) || e}`);
  }
}

const APPROVE = { action: 'accept', content: { decision: 'approve', name: 'Ada Lovelace', comment: 'looks right' } };
const REJECT = { action: 'accept', content: { decision: 'reject', name: 'Ada Lovelace' } };
const DECLINE = { action: 'decline' };
const CANCEL = { action: 'cancel' };

// ---- clients ------------------------------------------------------------------

const asked = [];
function handler(answer) {
  return async (req) => {
    asked.push(req.params);
    assert.equal(req.params.mode ?? 'form', 'form');
    assert.match(req.params.message, /approve/);
    assert.deepEqual(req.params.requestedSchema.required, ['decision', 'name']);
    return typeof answer === 'function' ? answer(req) : answer;
  };
}

async function legacy(catalog, answer, extraEnv = {}) {
  const client = new Client({ name: 'plans-sdk-v1', version: '1.0.0' },
    answer ? { capabilities: { elicitation: { form: {} } } } : {});
  if (answer) client.setRequestHandler(ElicitRequestSchema, handler(answer));
  await client.connect(new StdioClientTransport({
    command: fake, args: ['serve', '--catalog', catalog], env: { ...env, ...extraEnv }, stderr: 'inherit',
  }));
  await client.listTools(); // the SDK checks structuredContent against these schemas
  return client;
}

async function modern(catalog, answer) {
  const c = new ModernClient({ name: 'plans-sdk-v2', version: '1.0.0' }, {
    capabilities: answer ? { elicitation: { form: {} } } : {},
    versionNegotiation: { mode: { pin: '2026-07-28' } },
  });
  if (answer) c.setRequestHandler('elicitation/create', handler(answer));
  await c.connect(new ModernStdio({
    command: fake, args: ['serve', '--catalog', catalog], env, stderr: 'inherit',
  }));
  assert.equal(c.getNegotiatedProtocolVersion(), '2026-07-28');
  await c.listTools();
  return c;
}

const call = (c, name, args) => c.callTool({ name, arguments: args });

function ok(r) {
  assert.equal(r.isError, false, `tool error: ${JSON.stringify(r.content)}`);
  assert.deepEqual(JSON.parse(r.content[0].text), r.structuredContent);
  return r.structuredContent;
}

function refusal(r, code) {
  assert.equal(r.isError, true, `expected a refusal (${code}): ${JSON.stringify(r.structuredContent)}`);
  assert.match(r.content[0].text, new RegExp(`refused \\(${code}\\)`), r.content[0].text);
}

async function plan(c, operation, input, extra = {}) {
  return ok(await call(c, 'plan_operation', { service: 'gadgets', operation, input, region: 'us-east-1', ...extra }));
}

const cli = (...args) => spawnSync(fake, args, { env, encoding: 'utf8' });

// ---- tools ----------------------------------------------------------------------

await check('tools/list: the plan tools, their schemas and hints', async () => {
  const c = await legacy(catA, null);
  const { tools } = await c.listTools();
  const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
  for (const n of ['plan_operation', 'request_approval', 'apply_plan', 'read_operation',
    'get_plan', 'list_plans', 'query_audit']) {
    assert.ok(byName[n], n);
    assert.equal(byName[n].inputSchema.additionalProperties, false);
    assert.equal(byName[n].outputSchema.type, 'object');
  }
  assert.equal(byName.apply_plan.annotations.destructiveHint, true);
  assert.equal(byName.apply_plan.annotations.openWorldHint, true);
  assert.equal(byName.get_plan.annotations.readOnlyHint, true);
  // nothing takes an approval, a grant, an expiry or an audit edit
  const args = tools.flatMap((t) => Object.keys(t.inputSchema.properties ?? {}));
  for (const a of args) assert.doesNotMatch(a, /approv|grant|expir|ttl|digest|audit|record/i, a);
  assert.ok(!tools.some((t) => /^(approve|grant|edit|delete)/.test(t.name)));
  const r = await call(c, 'request_approval', { plan_id: '01AAAAAAAAAAAAAAAAAAAAAAAA', justification: 'x', approved: true });
  assert.equal(r.isError, true);
  assert.match(r.content[0].text, /no argument "approved"/);
  await c.close();
});

// ---- Planned -> Applied and the plans that cannot be applied ------------------------

await check('Planned -> Applied; already applied; Failed; Denied (2025-11-25)', async () => {
  const c = await legacy(catA, null);
  const p = await plan(c, 'CreateGadget', { Name: 's1', Password: 'hunter2-pw', Config: { ApiKey: 'apikey-77' } });
  assert.equal(p.state, 'Planned');
  assert.equal(p.approvalRequired, false);
  assert.equal(p.wouldSend.input.Password, '<redacted: sensitive>');
  assert.equal(p.wouldSend.input.Config.ApiKey, '<redacted: sensitive>');
  assert.match(p.wouldSend.input.ClientToken, /^[0-9a-f-]{36}$/);
  assert.equal(p.decision.decision, 'allow');
  const a = ok(await call(c, 'apply_plan', { plan_id: p.planId }));
  assert.equal(a.state, 'Applied');
  assert.equal(a.applied, true);
  assert.equal(a.output.GadgetId, 'gid-s1');
  refusal(await call(c, 'apply_plan', { plan_id: p.planId }), 'already_applied');
  const f = await plan(c, 'CreateGadget', { Name: 'NOT VALID' });
  assert.equal(f.state, 'Failed');
  assert.ok(f.violations.length > 0);
  refusal(await call(c, 'apply_plan', { plan_id: f.planId }), 'state');
  const d = await plan(c, 'CreateGadget', { Name: 'forbidden-9' });
  assert.equal(d.state, 'Denied');
  assert.deepEqual(d.decision.matchedRules, ['no-forbidden-names']);
  refusal(await call(c, 'apply_plan', { plan_id: d.planId }), 'policy_denies');
  refusal(await call(c, 'request_approval', { plan_id: d.planId, justification: 'please' }), 'policy_denies');
  await c.close();
});

await check('read_operation: a read runs at once; a write is refused', async () => {
  const c = await modern(catA, null);
  const r = ok(await call(c, 'read_operation', { service: 'gadgets', operation: 'ListGadgets', input: {} }));
  assert.equal(r.state, 'Applied');
  assert.equal(r.output.Gadgets[0].Secret, 'list-secret-9a7e');
  refusal(await call(c, 'read_operation', { service: 'gadgets', operation: 'DeleteGadget', input: { Name: 'x' } }), 'not_read');
  await c.close();
});

// ---- elicitation, 2025-11-25 ----------------------------------------------------------

for (const [era, connect] of [['2025-11-25', legacy], ['2026-07-28', modern]]) {
  await check(`${era}: elicitation accept -> Approved -> Applied`, async () => {
    asked.length = 0;
    const c = await connect(catA, APPROVE);
    const p = await plan(c, 'DeleteGadget', { Name: `acc-${era}` });
    assert.equal(p.approvalRequired, true);
    refusal(await call(c, 'apply_plan', { plan_id: p.planId }), 'approval_required');
    const r = ok(await call(c, 'request_approval', { plan_id: p.planId, justification: 'old and unused' }));
    assert.equal(asked.length, 1);
    assert.match(asked[0].message, /DeleteGadget/);
    assert.match(asked[0].message, /old and unused/);
    assert.match(asked[0].message, new RegExp(p.planId));
    assert.equal(r.state, 'Approved');
    assert.equal(r.elicitation, 'approved');
    const g = r.approval.grants[0];
    assert.equal(g.channel, 'elicitation');
    assert.equal(g.name, 'Ada Lovelace');
    assert.equal(g.comment, 'looks right');
    assert.equal(g.digest, p.digest);
    const a = ok(await call(c, 'apply_plan', { plan_id: p.planId }));
    assert.equal(a.state, 'Applied');
    refusal(await call(c, 'apply_plan', { plan_id: p.planId }), 'already_applied');
    await c.close();
  });

  for (const [what, answer, state, note] of [
    ['decline', DECLINE, 'Rejected', 'declined'],
    ['accept with reject', REJECT, 'Rejected', 'rejected'],
    ['cancel', CANCEL, 'AwaitingApproval', 'cancelled'],
  ]) {
    await check(`${era}: elicitation ${what} -> ${state}`, async () => {
      asked.length = 0;
      const c = await connect(catA, answer);
      const p = await plan(c, 'DeleteGadget', { Name: `x-${era}` });
      const r = ok(await call(c, 'request_approval', { plan_id: p.planId, justification: 'because' }));
      assert.equal(asked.length, 1);
      assert.equal(r.state, state);
      assert.equal(r.elicitation, note);
      assert.match(r.howToApprove, new RegExp(`airlock approve ${p.planId}`));
      refusal(await call(c, 'apply_plan', { plan_id: p.planId }), state === 'Rejected' ? 'state' : 'not_approved');
      if (state === 'AwaitingApproval') {
        // asking again asks the person again
        const again = ok(await call(c, 'request_approval', { plan_id: p.planId, justification: 'because' }));
        assert.equal(asked.length, 2);
        assert.equal(again.state, 'AwaitingApproval');
        // a person rejects it from the terminal
        const j = cli('reject', p.planId);
        assert.equal(j.status, 0, j.stderr);
        const g = ok(await call(c, 'get_plan', { plan_id: p.planId }));
        assert.equal(g.state, 'Rejected');
        assert.equal(g.approval.rejection.channel, 'cli');
      }
      await c.close();
    });
  }

  await check(`${era}: a client without elicitation is told how to approve`, async () => {
    const c = await connect(catA, null);
    const p = await plan(c, 'DeleteGadget', { Name: `n-${era}` });
    const r = ok(await call(c, 'request_approval', { plan_id: p.planId, justification: 'x' }));
    assert.equal(r.state, 'AwaitingApproval');
    assert.equal(r.elicitation, 'unsupported');
    assert.match(r.howToApprove, /airlock approve/);
    refusal(await call(c, 'apply_plan', { plan_id: p.planId }), 'not_approved');
    await c.close();
  });

  await check(`${era}: a critical plan is never approved in the client`, async () => {
    asked.length = 0;
    const c = await connect(catA, APPROVE);
    const p = await plan(c, 'PurgeAllGadgets', { Confirm: true });
    assert.equal(p.risk, 'critical');
    assert.deepEqual(p.approval.channels, ['cli']);
    const r = ok(await call(c, 'request_approval', { plan_id: p.planId, justification: 'x' }));
    assert.equal(asked.length, 0);
    assert.equal(r.elicitation, 'not_accepted_by_policy');
    assert.deepEqual(r.approval.channels, ['cli']);
    assert.equal(r.state, 'AwaitingApproval');
    await c.close();
  });
}

// ---- refusals ------------------------------------------------------------------------

await check('expired: an approval of the "fast" environment lasts 2 s', async () => {
  const c = await legacy(catA, APPROVE);
  const p = await plan(c, 'DeleteGadget', { Name: 'exp' }, { profile: 'fast' });
  const r = ok(await call(c, 'request_approval', { plan_id: p.planId, justification: 'x' }));
  assert.equal(r.state, 'Approved');
  assert.equal(r.approval.ttlSeconds, 2);
  await new Promise((res) => setTimeout(res, 2500));
  refusal(await call(c, 'apply_plan', { plan_id: p.planId }), 'expired');
  const g = ok(await call(c, 'get_plan', { plan_id: p.planId }));
  assert.equal(g.state, 'Expired');
  refusal(await call(c, 'request_approval', { plan_id: p.planId, justification: 'again' }), 'expired');
  await c.close();
});

await check('AwaitingApproval -> Expired; Approved -> Rejected (a person on a terminal)', async () => {
  const c = await modern(catA, CANCEL);
  const p = await plan(c, 'DeleteGadget', { Name: 'exp2' }, { profile: 'fast' });
  assert.equal(ok(await call(c, 'request_approval', { plan_id: p.planId, justification: 'x' })).state,
    'AwaitingApproval');
  await new Promise((res) => setTimeout(res, 2500));
  assert.equal(ok(await call(c, 'get_plan', { plan_id: p.planId })).state, 'Expired');
  await c.close();
  const a = await legacy(catA, APPROVE);
  const q = await plan(a, 'DeleteGadget', { Name: 'veto' });
  assert.equal(ok(await call(a, 'request_approval', { plan_id: q.planId, justification: 'x' })).state, 'Approved');
  const j = cli('reject', q.planId, '--comment', 'changed my mind');
  assert.equal(j.status, 0, j.stderr);
  refusal(await call(a, 'apply_plan', { plan_id: q.planId }), 'state');
  assert.equal(ok(await call(a, 'get_plan', { plan_id: q.planId })).state, 'Rejected');
  await a.close();
});

await check('Applying -> ApplyFailed: AWS answers with an error (3 attempts); the plan is used up', async () => {
  const c = await legacy(catA, null, { AIRLOCK_FAKE_FAIL: '1', AIRLOCK_FAKE_ATTEMPTS: '3' });
  const p = await plan(c, 'CreateGadget', { Name: 'willfail' });
  const r = await call(c, 'apply_plan', { plan_id: p.planId });
  assert.equal(r.isError, true);
  assert.match(r.content[0].text, /ThrottlingException/);
  assert.match(r.content[0].text, /3 attempts/);
  const g = ok(await call(c, 'get_plan', { plan_id: p.planId }));
  assert.equal(g.state, 'ApplyFailed');
  assert.equal(g.apply.error.code, 'ThrottlingException');
  refusal(await call(c, 'apply_plan', { plan_id: p.planId }), 'already_applied');
  const kinds = ok(await call(c, 'query_audit', { plan_id: p.planId })).records.map((x) => x.kind);
  assert.deepEqual(kinds, ['plan', 'decision', 'apply_start', 'apply_retry', 'apply_retry',
    'apply_outcome', 'apply_refused']);
  await c.close();
});

await check('changed digest: the stored plan edited behind airlock', async () => {
  const c = await modern(catA, APPROVE);
  const p = await plan(c, 'DeleteGadget', { Name: 'dig1' });
  ok(await call(c, 'request_approval', { plan_id: p.planId, justification: 'x' }));
  const t = spawnSync(tamper, [home, 'plan', p.planId, '"Name":"dig1"', '"Name":"dig2"']);
  assert.equal(t.status, 0);
  refusal(await call(c, 'apply_plan', { plan_id: p.planId }), 'digest_changed');
  const g = ok(await call(c, 'get_plan', { plan_id: p.planId }));
  assert.equal(g.digestIntact, false);
  await c.close();
});

await check('the current catalog: policy now denies, approval now required, channel no longer accepted', async () => {
  const a = await legacy(catA, APPROVE);
  const del = await plan(a, 'DeleteGadget', { Name: 'cb1' });
  ok(await call(a, 'request_approval', { plan_id: del.planId, justification: 'x' }));
  const cre = await plan(a, 'CreateGadget', { Name: 'cb2' });
  const det = await plan(a, 'DetachGadget', { Name: 'cb3' });
  const r = ok(await call(a, 'request_approval', { plan_id: det.planId, justification: 'x' }));
  assert.equal(r.approval.grants[0].channel, 'elicitation');
  await a.close();
  const b = await modern(catB, null);
  refusal(await call(b, 'apply_plan', { plan_id: del.planId }), 'policy_denies');
  refusal(await call(b, 'apply_plan', { plan_id: cre.planId }), 'approval_required');
  refusal(await call(b, 'apply_plan', { plan_id: det.planId }), 'channel_not_accepted');
  await b.close();
  // under A they are still fine
  const a2 = await legacy(catA, null);
  assert.equal(ok(await call(a2, 'apply_plan', { plan_id: det.planId })).state, 'Applied');
  await a2.close();
});

await check('two approvers: the client counts once; a second person approves on a terminal', async () => {
  const c = await legacy(catA, APPROVE);
  const p = await plan(c, 'DeleteGadget', { Name: 'two' }, { profile: 'prod' });
  const r = ok(await call(c, 'request_approval', { plan_id: p.planId, justification: 'x' }));
  assert.equal(r.approval.approvers, 2);
  assert.equal(r.state, 'AwaitingApproval');
  assert.equal(r.approval.grants.length, 1);
  refusal(await call(c, 'apply_plan', { plan_id: p.planId }), 'not_approved');
  const again = ok(await call(c, 'request_approval', { plan_id: p.planId, justification: 'x' }));
  assert.equal(again.elicitation, 'already_answered'); // one elicitation approval per plan
  await c.close();
});

// ---- 2026-07-28 by hand: the requestState is checked -----------------------------------

await check('2026-07-28: a forged or replayed requestState records nothing', async () => {
  const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } } };
  const child = spawn(fake, ['serve', '--catalog', catA], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = '';
  const waiting = new Map();
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const m = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      waiting.get(m.id)?.(m);
    }
  });
  let n = 0;
  const send = (method, params) => new Promise((res) => {
    const id = ++n;
    waiting.set(id, res);
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: META } }) + '\n');
  });
  const tool = (name, args, extra = {}) => send('tools/call', { name, arguments: args, ...extra });
  const p = (await tool('plan_operation', { service: 'gadgets', operation: 'DeleteGadget', input: { Name: 'raw' } })).result.structuredContent;
  const first = (await tool('request_approval', { plan_id: p.planId, justification: 'x' })).result;
  assert.equal(first.resultType, 'input_required');
  const key = Object.keys(first.inputRequests)[0];
  assert.equal(first.inputRequests[key].method, 'elicitation/create');
  const responses = { [key]: APPROVE };
  const forged = first.requestState.slice(0, 27) + '0'.repeat(32);
  const bad = (await tool('request_approval', { plan_id: p.planId, justification: 'x' },
    { inputResponses: responses, requestState: forged })).result;
  assert.equal(bad.isError, true);
  assert.match(bad.content[0].text, /stale_prompt/);
  const good = (await tool('request_approval', { plan_id: p.planId, justification: 'x' },
    { inputResponses: responses, requestState: first.requestState })).result;
  assert.equal(good.resultType, 'complete');
  assert.equal(good.structuredContent.state, 'Approved');
  const replay = (await tool('request_approval', { plan_id: p.planId, justification: 'x' },
    { inputResponses: responses, requestState: first.requestState })).result;
  assert.equal(replay.isError, true);
  assert.match(replay.content[0].text, /stale_prompt/);
  child.stdin.end();
});

// ---- reading: plans and the audit log ----------------------------------------------------

await check('get_plan, list_plans, query_audit; no secret in the audit log', async () => {
  const c = await modern(catA, null);
  const list = ok(await call(c, 'list_plans', { limit: 200 }));
  assert.ok(list.count > 10);
  const order = { AwaitingApproval: 0, Approved: 1, Planned: 2, Applying: 3 };
  const ranks = list.plans.map((p) => order[p.state] ?? 9);
  assert.deepEqual(ranks, [...ranks].sort((x, y) => x - y), 'pending first');
  const applied = ok(await call(c, 'list_plans', { state: 'Applied' }));
  assert.ok(applied.plans.every((p) => p.state === 'Applied'));
  const some = applied.plans[0];
  const recs = ok(await call(c, 'query_audit', { plan_id: some.planId }));
  const kinds = recs.records.map((r) => r.kind);
  assert.equal(kinds[0], 'plan');
  assert.ok(kinds.includes('apply_start') && kinds.includes('apply_outcome'));
  for (let i = 1; i < recs.records.length; i++) assert.ok(recs.records[i].seq > recs.records[i - 1].seq);
  const tx = recs.records.at(-1).txId;
  const byTx = ok(await call(c, 'query_audit', { tx_id: tx }));
  assert.deepEqual(byTx.records.map((r) => r.kind).slice(-2), ['apply_start', 'apply_outcome']);
  const since = ok(await call(c, 'query_audit', { since: recs.records.at(-1).time, limit: 500 }));
  assert.ok(since.records.length >= 1);
  const all = ok(await call(c, 'query_audit', { limit: 500 }));
  const text = JSON.stringify(all);
  for (const s of ['hunter2-pw', 'apikey-77', 'out-secret-3f1c', 'list-secret-9a7e']) {
    assert.ok(!text.includes(s), `secret ${s} in the audit log`);
  }
  assert.ok(text.includes('<redacted: sensitive>'));
  const bad = await call(c, 'query_audit', { since: 'yesterday' });
  assert.equal(bad.isError, true);
  await c.close();
  const v = cli('audit', 'verify', '--json');
  assert.equal(v.status, 0, v.stdout + v.stderr);
  const rep = JSON.parse(v.stdout);
  assert.equal(rep.intact, true);
  assert.equal(rep.plansAppliedTwice, 0);
});

await check('the real airlock binary serves the same tools', async () => {
  const c = new Client({ name: 'plans-sdk-real', version: '1.0.0' });
  await c.connect(new StdioClientTransport({ command: real, args: ['serve', '--catalog', catA], env, stderr: 'inherit' }));
  await c.listTools();
  const p = ok(await c.callTool({ name: 'get_plan', arguments: { plan_id: (await plan(c, 'CreateGadget', { Name: 'realbin' })).planId } }));
  assert.equal(p.state, 'Planned');
  await c.close();
});

console.log(`sdk_plans: ${passed} passed, ${failed} failed`);
if (!failed) rmSync(work, { recursive: true, force: true });
else console.log(`sdk_plans: state kept in ${work}`);
process.exit(failed ? 1 : 0);
