// sdk_cfn.mjs -- the CloudFormation path over MCP with the official
// TypeScript client (@modelcontextprotocol/sdk v1, 2025-11-25), against
// moto on loopback (tests/cfn/moto_cfn.py: asynchronous execution with
// per-resource events):
//   - deploy_stack creates a CreateStack plan and its change set; the SDK
//     checks the result against deploy_stack's outputSchema;
//   - apply_plan with onprogress: a progress notification per stack event
//     (resource by resource) before the response, increasing, and the plan
//     Applied with CREATE_COMPLETE;
//   - deploy_stack with a changed template: an UpdateStack plan whose diff
//     lists Add / Modify / Remove; apply_plan follows the events to
//     UPDATE_COMPLETE, with progress per event.
//
//   node sdk_cfn.mjs AIRLOCK CATALOG MOTO_CFN_PY PYTHON3
//
// Run by ctest (cfn.sdk) from the build tree, beside the packages that
// mcp.npm installed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const [airlock, catalog, motoPy, python] = process.argv.slice(2);
if (!python) {
  console.error('usage: node sdk_cfn.mjs AIRLOCK CATALOG MOTO_CFN_PY PYTHON3');
  process.exit(2);
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitPort(port) {
  for (let i = 0; i < 150; i++) {
    const ok = await new Promise((resolve) => {
      const c = tcpConnect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('moto did not start');
}

const work = mkdtempSync(join(tmpdir(), 'cfn-sdk-'));
const port = await freePort();
const env = Object.fromEntries(Object.entries(process.env).filter(
  ([k]) => !k.startsWith('AWS_') && !k.startsWith('AIRLOCK_')));
Object.assign(env, {
  AIRLOCK_HOME: join(work, 'home'), AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_ACCESS_KEY_ID: 'AKIDCFNSDK',
  AWS_SECRET_ACCESS_KEY: 'cfn-sdk-secret', AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_EC2_METADATA_DISABLED: 'true',
});
const moto = spawn(python, [motoPy, '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
let failed = 0;
let client;
try {
  await waitPort(port);
  client = new Client({ name: 'airlock-cfn-sdk', version: '1.0.0' });
  const transport = new StdioClientTransport({
    command: airlock, args: ['serve', '--catalog', catalog], env, stderr: 'pipe',
  });
  await client.connect(transport);

  // Progress as the SDK delivers it, and as it came on the wire (order
  // against the response).
  const wire = [];
  const onmessage = transport.onmessage;
  transport.onmessage = (msg, extra) => {
    wire.push(msg);
    onmessage.call(transport, msg, extra);
  };

  async function call(name, args, progress) {
    const r = await client.callTool({ name, arguments: args }, undefined,
      { onprogress: (p) => progress && progress.push(p), timeout: 120000,
        resetTimeoutOnProgress: true });
    assert.equal(r.isError, false, `${name}: ${JSON.stringify(r.content)}`);
    return r.structuredContent;
  }

  async function applyFollowing(planId, expectFinal, expectMessages) {
    const progress = [];
    wire.length = 0;
    const r = await call('apply_plan', { plan_id: planId }, progress);
    assert.equal(r.state, 'Applied');
    assert.equal(r.output.StackStatus, expectFinal);
    const reply = wire.findIndex((m) => 'id' in m && m.result);
    const notes = wire.filter((m) => m.method === 'notifications/progress');
    assert.ok(notes.length >= expectMessages.length + 1, 'progress per event');
    assert.ok(wire.indexOf(notes.at(-1)) < reply, 'progress comes before the response');
    const values = notes.map((m) => m.params.progress);
    assert.deepEqual(values, [...values].sort((a, b) => a - b), 'progress increases');
    const messages = notes.map((m) => m.params.message);
    for (const m of expectMessages)
      assert.ok(messages.includes(m), `no progress "${m}" in ${JSON.stringify(messages)}`);
    assert.ok(progress.length >= 1, 'onprogress was called');
    return r;
  }

  const T1 = { Resources: {
    Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'sdk-q' } },
    T: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'sdk-t' } } } };
  const T2 = { Resources: {
    Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'sdk-q', VisibilityTimeout: 45 } },
    B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'sdk-bucket' } } } };

  const d1 = await call('deploy_stack', { stack_name: 'sdk-s1', template_body: JSON.stringify(T1),
    tags: { team: 'platform' } });
  assert.equal(d1.operation, 'CreateStack');
  assert.equal(d1.diff.status, 'computed');
  assert.deepEqual(d1.diff.changeSet.changes.map((c) => [c.logicalId, c.action]).sort(),
    [['Q', 'Add'], ['T', 'Add']]);
  assert.deepEqual(d1.plan.input.Tags, [{ Key: 'team', Value: 'platform' }]);
  await applyFollowing(d1.plan.planId, 'CREATE_COMPLETE',
    ['Q AWS::SQS::Queue CREATE_COMPLETE', 'T AWS::SNS::Topic CREATE_COMPLETE',
      'sdk-s1 AWS::CloudFormation::Stack CREATE_COMPLETE']);
  console.log('ok - deploy_stack creates, apply_plan follows the events to CREATE_COMPLETE');

  const d2 = await call('deploy_stack', { stack_name: 'sdk-s1', template_body: JSON.stringify(T2) });
  assert.equal(d2.operation, 'UpdateStack');
  assert.deepEqual(d2.diff.changeSet.changes.map((c) => [c.logicalId, c.action]).sort(),
    [['B', 'Add'], ['Q', 'Modify'], ['T', 'Remove']]);
  const a2 = await applyFollowing(d2.plan.planId, 'UPDATE_COMPLETE',
    ['B AWS::S3::Bucket CREATE_COMPLETE', 'Q AWS::SQS::Queue UPDATE_COMPLETE',
      'T AWS::SNS::Topic DELETE_COMPLETE', 'sdk-s1 AWS::CloudFormation::Stack UPDATE_COMPLETE']);
  assert.equal(a2.output.events.at(-1).status, 'UPDATE_COMPLETE');
  console.log('ok - deploy_stack updates through a change set, apply_plan follows to UPDATE_COMPLETE');
} catch (e) {
  failed++;
  console.error('not ok -', e && e.stack ? e.stack : e);
} finally {
  if (client) await client.close().catch(() => {});
  moto.kill();
  rmSync(work, { recursive: true, force: true });
}
console.log(failed ? 'cfn sdk: FAILED' : 'cfn sdk: ok');
process.exit(failed ? 1 : 0);
