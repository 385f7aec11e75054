// sdk_diff.mjs -- the Diff over MCP with the official client
// (@modelcontextprotocol/sdk v1, which checks every structuredContent
// against the tool's outputSchema), against moto on loopback:
//   - tools/list: diff_plan (read-only, an outputSchema), plan_operation's
//     dry_run;
//   - s3 bucket: CreateBucket (create: does not exist), PutBucketPolicy
//     before (added) and after apply (unchanged), another policy (changed,
//     old -> new parsed), progress notifications with a message, get_plan
//     keeping the last diff, query_audit's diff records;
//   - ec2 ModifyInstanceAttribute: dryRun would_succeed / skipped with
//     dry_run false / not_permitted for a denied user; diff, apply, diff;
//   - dynamodb UpdateTable: ProvisionedThroughput changed, then unchanged;
//   - DeleteBucketPolicy: the elicitation of request_approval shows the
//     last diff (what would be removed) and the person can decide;
//   - read_failed (denied read) and no_mapping are results, not errors.
//
//   node sdk_diff.mjs AIRLOCK CATALOG
// with AWS_* pointing at moto (diff_moto.py sdk sets them, and
// DIFF_INSTANCE, DIFF_LIMITED_KEY, DIFF_LIMITED_SECRET).
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const [airlock, catalog] = process.argv.slice(2);
if (!catalog) {
  console.error('usage: node sdk_diff.mjs AIRLOCK CATALOG');
  process.exit(2);
}
const inst = process.env.DIFF_INSTANCE;
let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack || e}`);
  }
}

async function connect(extraEnv = {}, capabilities = {}) {
  const client = new Client({ name: 'airlock-diff-sdk', version: '1.0.0' }, { capabilities });
  const transport = new StdioClientTransport({
    command: airlock,
    args: ['serve', '--catalog', catalog],
    env: { ...process.env, ...extraEnv },
    stderr: 'inherit',
  });
  await client.connect(transport);
  await client.listTools(); // the SDK validates results against these schemas
  return { client, transport };
}

async function call(c, name, args, opts) {
  const r = await c.callTool({ name, arguments: args }, undefined, opts);
  assert.equal(r.isError, false, `${name}: ${JSON.stringify(r.content)}`);
  assert.ok(r.structuredContent, `${name}: structuredContent`);
  return r.structuredContent;
}

const ops = (d) => Object.fromEntries(d.changes.map((c) => [c.path, c.op]));
const change = (d, p) => d.changes.find((c) => c.path === p) || {};

const { client, transport } = await connect();
const limited = (await connect({
  AWS_ACCESS_KEY_ID: process.env.DIFF_LIMITED_KEY,
  AWS_SECRET_ACCESS_KEY: process.env.DIFF_LIMITED_SECRET,
})).client;

await check('tools/list: diff_plan and plan_operation dry_run', async () => {
  const { tools } = await client.listTools();
  const d = tools.find((t) => t.name === 'diff_plan');
  assert.ok(d, 'diff_plan listed');
  assert.equal(d.annotations.readOnlyHint, true);
  assert.deepEqual(d.inputSchema.required, ['plan_id']);
  assert.equal(d.outputSchema.type, 'object');
  assert.ok(d.outputSchema.required.includes('changes'));
  const p = tools.find((t) => t.name === 'plan_operation');
  assert.equal(p.inputSchema.properties.dry_run.type, 'boolean');
});

const bucket = 'airlock-sdk-bucket';
const policy = (effect) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: effect, Principal: '*', Action: 's3:GetObject',
    Resource: `arn:aws:s3:::${bucket}/*` }],
});
const plan = (c, service, operation, input, extra = {}) =>
  call(c, 'plan_operation', { service, operation, input, ...extra });

await check('CreateBucket: a create of what does not exist', async () => {
  const p = await plan(client, 's3', 'CreateBucket', { Bucket: bucket });
  const d = await call(client, 'diff_plan', { plan_id: p.planId });
  assert.equal(d.kind, 'create');
  assert.equal(d.exists, false);
  assert.deepEqual(ops(d), { '/Bucket': 'added' });
  assert.equal((await call(client, 'apply_plan', { plan_id: p.planId })).state, 'Applied');
});

let p2;
await check('PutBucketPolicy: before, apply, after; another policy', async () => {
  const p1 = await plan(client, 's3', 'PutBucketPolicy', { Bucket: bucket, Policy: policy('Allow') });
  let d = await call(client, 'diff_plan', { plan_id: p1.planId });
  assert.equal(d.status, 'computed');
  assert.deepEqual(ops(d), { '/Policy': 'added' });
  assert.equal(d.read.operation, 'GetBucketPolicy');
  await call(client, 'apply_plan', { plan_id: p1.planId });
  d = await call(client, 'diff_plan', { plan_id: p1.planId });
  assert.deepEqual(ops(d), { '/Policy': 'unchanged' });
  assert.equal(d.exists, true);
  p2 = await plan(client, 's3', 'PutBucketPolicy', { Bucket: bucket, Policy: policy('Deny') });
  d = await call(client, 'diff_plan', { plan_id: p2.planId });
  const c = change(d, '/Policy');
  assert.equal(c.op, 'changed');
  assert.equal(c.document, true);
  assert.deepEqual(c.old, JSON.parse(policy('Allow')));
  assert.deepEqual(c.new, JSON.parse(policy('Deny')));
  assert.equal(d.summary.changed, 1);
});

await check('diff_plan: progress notifications with a message', async () => {
  const wire = [];
  const onmessage = transport.onmessage;
  transport.onmessage = (msg, extra) => {
    wire.push(msg);
    onmessage.call(transport, msg, extra);
  };
  try {
    await call(client, 'diff_plan', { plan_id: p2.planId }, { onprogress: () => {} });
  } finally {
    transport.onmessage = onmessage;
  }
  const progress = wire.filter((m) => m.method === 'notifications/progress');
  const msgs = progress.map((m) => m.params.message);
  assert.ok(msgs.includes('reading the current state (s3:GetBucketPolicy)'), msgs.join(' | '));
  const values = progress.map((m) => m.params.progress);
  assert.deepEqual(values, [...values].sort((a, b) => a - b), 'progress increases');
});

await check('get_plan keeps the last diff; query_audit has diff records', async () => {
  const g = await call(client, 'get_plan', { plan_id: p2.planId });
  assert.equal(g.diff.summary.changed, 1);
  assert.equal(g.state, 'Planned');
  const a = await call(client, 'query_audit', { plan_id: p2.planId });
  assert.equal(a.records.filter((r) => r.kind === 'diff').length, 2);
  await call(client, 'apply_plan', { plan_id: p2.planId });
  const d = await call(client, 'diff_plan', { plan_id: p2.planId });
  assert.deepEqual(ops(d), { '/Policy': 'unchanged' });
});

await check('request_approval: the question shows the last diff', async () => {
  const asker = (await connect({}, { elicitation: {} })).client;
  const asked = [];
  asker.setRequestHandler(ElicitRequestSchema, async (req) => {
    asked.push(req.params.message);
    return { action: 'cancel' };
  });
  const p = await plan(asker, 's3', 'DeleteBucketPolicy', { Bucket: bucket });
  assert.equal(p.approvalRequired, true);
  const d = await call(asker, 'diff_plan', { plan_id: p.planId });
  assert.equal(d.kind, 'delete');
  assert.equal(change(d, '/Policy').op, 'removed');
  const r = await call(asker, 'request_approval',
    { plan_id: p.planId, justification: 'remove the test policy' });
  assert.equal(r.elicitation, 'cancelled');
  assert.equal(asked.length, 1);
  assert.match(asked[0], /what it changes \(diff of .*against GetBucketPolicy now\)/);
  assert.match(asked[0], /removed \/Policy: /);
  await asker.close();
});

await check('EC2 ModifyInstanceAttribute: DryRun in the plan, diff, apply, diff', async () => {
  const p = await plan(client, 'ec2', 'ModifyInstanceAttribute',
    { InstanceId: inst, InstanceType: { Value: 'm5.large' } });
  assert.equal(p.dryRun.result, 'would_succeed');
  assert.equal(p.dryRun.code, 'DryRunOperation');
  let d = await call(client, 'diff_plan', { plan_id: p.planId });
  const c = change(d, '/InstanceType/Value');
  assert.equal(c.op, 'changed');
  assert.equal(c.old, 't2.micro');
  assert.equal(c.new, 'm5.large');
  await call(client, 'apply_plan', { plan_id: p.planId });
  d = await call(client, 'diff_plan', { plan_id: p.planId });
  assert.deepEqual(ops(d), { '/InstanceType/Value': 'unchanged' });
  const a = await call(client, 'query_audit', { plan_id: p.planId });
  assert.deepEqual(a.records.map((r) => r.kind).filter((k) => k === 'dry_run'), ['dry_run']);
});

await check('EC2 DryRun: dry_run false skips it; a denied user is not permitted', async () => {
  const p = await plan(client, 'ec2', 'ModifyInstanceAttribute',
    { InstanceId: inst, InstanceType: { Value: 't2.small' } }, { dry_run: false });
  assert.equal(p.dryRun, undefined);
  const q = await plan(limited, 'ec2', 'ModifyInstanceAttribute',
    { InstanceId: inst, InstanceType: { Value: 't2.small' } });
  assert.equal(q.dryRun.result, 'not_permitted');
  assert.equal(q.state, 'Planned');
  const bad = await client.callTool({ name: 'plan_operation', arguments: {
    service: 'ec2', operation: 'ModifyInstanceAttribute', input: { InstanceId: inst },
    dry_run: 'yes' } });
  assert.equal(bad.isError, true);
});

await check('DynamoDB: create (does not exist, then exists), update, delete', async () => {
  const table = 'airlock-sdk-table';
  const spec = {
    TableName: table, BillingMode: 'PROVISIONED',
    ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2 },
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] };
  const c = await plan(client, 'dynamodb', 'CreateTable', spec);
  let dc = await call(client, 'diff_plan', { plan_id: c.planId });
  assert.equal(dc.kind, 'create');
  assert.equal(dc.exists, false);
  assert.equal(dc.summary.added, 5);
  await call(client, 'apply_plan', { plan_id: c.planId });
  const again = await plan(client, 'dynamodb', 'CreateTable', spec);
  dc = await call(client, 'diff_plan', { plan_id: again.planId });
  assert.equal(dc.exists, true);
  assert.match(dc.message, /already exists/);
  const u = await plan(client, 'dynamodb', 'UpdateTable', {
    TableName: table, ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 7 } });
  let d = await call(client, 'diff_plan', { plan_id: u.planId });
  assert.deepEqual(ops(d), {
    '/ProvisionedThroughput/ReadCapacityUnits': 'unchanged',
    '/ProvisionedThroughput/WriteCapacityUnits': 'changed' });
  assert.equal(change(d, '/ProvisionedThroughput/WriteCapacityUnits').old, 2);
  await call(client, 'apply_plan', { plan_id: u.planId });
  d = await call(client, 'diff_plan', { plan_id: u.planId });
  assert.equal(d.summary.changed, 0);
  assert.equal(d.summary.unchanged, 2);
  const del = await plan(client, 'dynamodb', 'DeleteTable', { TableName: table });
  d = await call(client, 'diff_plan', { plan_id: del.planId });
  assert.equal(d.kind, 'delete');
  assert.equal(change(d, '/TableName').op, 'removed');
  assert.deepEqual(change(d, '/ProvisionedThroughput').old.WriteCapacityUnits, 7);
});

await check('read_failed and no_mapping are results, not errors', async () => {
  const p = await plan(limited, 's3', 'PutBucketPolicy', { Bucket: bucket, Policy: policy('Allow') });
  const d = await call(limited, 'diff_plan', { plan_id: p.planId });
  assert.equal(d.status, 'read_failed');
  assert.equal(d.error.code, 'AccessDenied');
  const g = await call(limited, 'get_plan', { plan_id: p.planId });
  assert.equal(g.state, 'Planned');
  const n = await plan(client, 'dynamodb', 'BatchWriteItem',
    { RequestItems: { t: [{ PutRequest: { Item: { pk: { S: 'x' } } } }] } });
  const dn = await call(client, 'diff_plan', { plan_id: n.planId });
  assert.equal(dn.status, 'no_mapping');
  assert.deepEqual(dn.changes, []);
  const unknown = await client.callTool({ name: 'diff_plan', arguments: { plan_id: 'ZZZZZZZZ' } });
  assert.equal(unknown.isError, true);
  assert.match(unknown.content[0].text, /no plan/);
});

await client.close();
await limited.close();
console.log(`sdk_diff: ${passed}/${passed + failed} checks passed`);
process.exit(failed ? 1 : 0);
