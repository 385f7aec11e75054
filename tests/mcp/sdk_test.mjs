// sdk_test.mjs -- drives `airlock serve` over stdio with the official MCP
// TypeScript clients:
//   - @modelcontextprotocol/sdk (v1; initialize handshake, 2025-11-25):
//     initialize, ping, tools/list, every tool, isError, an unknown tool,
//     progress, logging, pagination, cancellation;
//   - @modelcontextprotocol/client (v2): the stateless 2026-07-28 revision,
//     pinned and auto-negotiated;
//   - raw JSON-RPC for what no SDK call exposes: server/discover's fields,
//     -32022, and the time to the first tools/list reply.
//
//   node sdk_test.mjs AIRLOCK FULL_CATALOG WIDGETS_CATALOG
//
// Run by ctest (mcp.sdk) from the build tree, where mcp.npm installed the
// packages of package-lock.json beside this file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LoggingMessageNotificationSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdio } from '@modelcontextprotocol/client/stdio';

const [airlock, fullCatalog, widgets] = process.argv.slice(2);
if (!airlock || !fullCatalog || !widgets) {
  console.error('usage: node sdk_test.mjs AIRLOCK FULL_CATALOG WIDGETS_CATALOG');
  process.exit(2);
}

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

const CATALOG_TOOLS = ['search_operations', 'describe_operation', 'validate_input'];
// plans, approvals and the audit log (tests/plans/sdk_plans.mjs tests them)
const TOOLS = [...CATALOG_TOOLS, 'plan_operation', 'request_approval', 'apply_plan',
  'read_operation', 'get_plan', 'list_plans', 'query_audit', 'diff_plan', 'deploy_stack'];

async function connect(catalog, extra = []) {
  const client = new Client({ name: 'airlock-sdk-test', version: '1.0.0' });
  const transport = new StdioClientTransport({
    command: airlock,
    args: ['serve', '--catalog', catalog, ...extra],
    stderr: 'inherit',
  });
  await client.connect(transport);
  return { client, transport };
}

function structured(result) {
  assert.equal(result.isError, false, `tool error: ${JSON.stringify(result.content)}`);
  assert.ok(result.structuredContent, 'structuredContent');
  // The text block is the same JSON, for clients that only read text.
  assert.deepEqual(JSON.parse(result.content[0].text), result.structuredContent);
  return result.structuredContent;
}

const call = (client, name, args, opts) =>
  client.callTool({ name, arguments: args }, undefined, opts);

// ---- the v1 SDK: the initialize era ---------------------------------------

const { client, transport } = await connect(fullCatalog);

await check('initialize: server info and capabilities', async () => {
  assert.equal(client.getServerVersion().name, 'airlock');
  assert.ok(client.getServerCapabilities().tools, 'tools capability');
  assert.ok(client.getServerCapabilities().logging, 'logging capability');
  assert.match(client.getInstructions(), /search_operations/);
  await client.ping();
});

await check('tools/list: three tools with schemas and annotations', async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name), TOOLS);
  for (const t of tools) {
    assert.ok(t.description.length > 200, `${t.name}: description an agent can act on`);
    assert.equal(t.inputSchema.type, 'object');
    assert.equal(t.inputSchema.additionalProperties, false);
    assert.equal(t.outputSchema.type, 'object');
    assert.ok(t.title);
    if (!CATALOG_TOOLS.includes(t.name)) continue;
    assert.deepEqual(
      { ...t.annotations, title: undefined },
      { title: undefined, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    );
  }
});

await check('search_operations: ranked hits with the documented fields', async () => {
  const r = structured(await call(client, 'search_operations', { query: 'delete a cloudformation stack' }));
  assert.equal(r.query, 'delete a cloudformation stack');
  assert.ok(r.results.length > 0 && r.results.length <= 10);
  for (const h of r.results) {
    assert.deepEqual(Object.keys(h).sort(), ['operation', 'readonly', 'score', 'service', 'summary']);
  }
  const scores = r.results.map((h) => h.score);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'best first');
  assert.ok(r.results.slice(0, 5).some((h) => h.service === 'cloudformation' && h.operation === 'DeleteStack'),
    `DeleteStack in the top 5: ${JSON.stringify(r.results.slice(0, 5))}`);
});

await check('search_operations: service, access and limit', async () => {
  const r = structured(await call(client, 'search_operations',
    { query: 'stack', service: 'CloudFormation', access: 'read', limit: 3 }));
  assert.ok(r.results.length > 0 && r.results.length <= 3);
  for (const h of r.results) {
    assert.equal(h.service, 'cloudformation');
    assert.equal(h.readonly, true);
  }
  const w = structured(await call(client, 'search_operations', { query: 'bucket', service: 's3api', access: 'write' }));
  for (const h of w.results) {
    assert.equal(h.service, 's3');
    assert.equal(h.readonly, false);
  }
});

await check('describe_operation: sdk-id + CLI name, schema and facts', async () => {
  const a = structured(await call(client, 'describe_operation', { service: 'CloudFormation', operation: 'create-stack' }));
  const b = structured(await call(client, 'describe_operation', { service: 'cloudformation', operation: 'CreateStack' }));
  assert.deepEqual(a, b);
  assert.equal(a.operation, 'CreateStack');
  assert.equal(a.cli, 'aws cloudformation create-stack');
  assert.equal(a.readonly, false);
  assert.equal(a.protocol, 'awsQuery');
  assert.equal(a.inputSchema.type, 'object');
  assert.ok(a.inputSchema.properties.StackName, 'StackName');
  assert.ok(a.inputSchema.required.includes('StackName'));
  assert.equal(a.inputSchema.additionalProperties, false);
});

await check('describe_operation: endpoint prefix and AWS CLI service names', async () => {
  const logs = structured(await call(client, 'describe_operation', { service: 'logs', operation: 'describe-log-groups' }));
  assert.equal(logs.operation, 'DescribeLogGroups');
  assert.equal(logs.readonly, true);
  assert.ok(logs.pagination, 'DescribeLogGroups is paginated');
  const s3 = structured(await call(client, 'describe_operation', { service: 's3api', operation: 'list-buckets' }));
  assert.equal(s3.service, 's3');
  assert.equal(s3.operation, 'ListBuckets');
  assert.equal(s3.http.method, 'GET');
  const run = structured(await call(client, 'describe_operation', { service: 'ec2', operation: 'RunInstances' }));
  assert.equal(run.protocol, 'ec2Query');
  assert.equal(run.idempotencyToken, 'ClientToken');
});

await check('validate_input: valid, and each violation with its pointer', async () => {
  const ok = structured(await call(client, 'validate_input', {
    service: 'cloudformation', operation: 'CreateStack',
    input: { StackName: 'demo', TemplateURL: 'https://example.com/t.yaml' },
  }));
  assert.equal(ok.valid, true);
  assert.equal(ok.violationCount, 0);
  const bad = structured(await call(client, 'validate_input', {
    service: 'cloudformation', operation: 'CreateStack', input: { StackName: 5, Bogus: true },
  }));
  assert.equal(bad.valid, false);
  const byPointer = Object.fromEntries(bad.violations.map((v) => [v.pointer, v.keyword]));
  assert.equal(byPointer['/StackName'], 'type');
  assert.equal(byPointer['/Bogus'], 'additionalProperties');
  assert.equal(bad.violationCount, bad.violations.length);
});

await check('isError: unknown service, unknown operation, wrong argument type', async () => {
  const a = await call(client, 'describe_operation', { service: 'cloudfromation', operation: 'CreateStack' });
  assert.equal(a.isError, true);
  assert.match(a.content[0].text, /Did you mean: cloudformation/);
  assert.equal(a.structuredContent, undefined);
  const b = await call(client, 'validate_input', { service: 'cloudformation', operation: 'CreateStak', input: {} });
  assert.equal(b.isError, true);
  assert.match(b.content[0].text, /CreateStack/);
  const c = await call(client, 'search_operations', { query: 42 });
  assert.equal(c.isError, true);
  assert.match(c.content[0].text, /"query" must be a non-empty string/);
});

await check('unknown tool: JSON-RPC error -32602', async () => {
  await assert.rejects(call(client, 'run_aws_command', {}), (e) => e instanceof McpError && e.code === -32602);
});

await check('progress notifications for a call with a progress token', async () => {
  // Watched on the wire: the v1 SDK hands notifications to onprogress a
  // microtask late, after a response read in the same chunk has already
  // retired the token, so a fast call's progress never reaches onprogress.
  const wire = [];
  const onmessage = transport.onmessage;
  transport.onmessage = (msg, extra) => {
    wire.push(msg);
    onmessage.call(transport, msg, extra);
  };
  try {
    structured(await call(client, 'search_operations', { query: 'list my s3 buckets' },
      { onprogress: () => {} }));
  } finally {
    transport.onmessage = onmessage;
  }
  const reply = wire.findIndex((m) => 'id' in m);
  const progress = wire.filter((m) => m.method === 'notifications/progress');
  assert.ok(progress.length >= 1, 'at least one progress notification');
  assert.ok(wire.indexOf(progress.at(-1)) < reply, 'progress comes before the response');
  assert.equal(progress[0].params.progressToken, wire[reply].id, 'the request\'s token');
  const values = progress.map((m) => m.params.progress);
  assert.deepEqual(values, [...values].sort((a, b) => a - b), 'progress increases');
  assert.equal(progress.at(-1).params.progress, progress.at(-1).params.total);
});

await check('logging/setLevel, then log notifications', async () => {
  const logs = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => logs.push(n.params));
  await client.setLoggingLevel('info');
  structured(await call(client, 'search_operations', { query: 'who am i' }));
  await client.setLoggingLevel('emergency');
  assert.ok(logs.some((l) => l.level === 'info' && /search_operations/.test(l.data)), JSON.stringify(logs));
});

await check('cancellation: a cancelled request gets no response', async () => {
  // Responses seen on the wire, whatever the SDK does with them.
  const seen = new Set();
  const onmessage = transport.onmessage;
  transport.onmessage = (msg, extra) => {
    if ('id' in msg) seen.add(msg.id);
    onmessage.call(transport, msg, extra);
  };
  // Queue heavy work, then a request that is cancelled as soon as it is
  // written: the server is still busy with the queue when the
  // notifications/cancelled arrives, and drops the request.
  const controller = new AbortController();
  let target;
  const send = transport.send.bind(transport);
  transport.send = async (msg, opts) => {
    await send(msg, opts);
    if (msg.params?.arguments?.query === 'cancel me') {
      target = msg.id;
      controller.abort('test cancels');
    }
  };
  const work = [];
  for (let i = 0; i < 40; i++) {
    work.push(call(client, 'describe_operation', { service: 'ec2', operation: 'RunInstances' }));
  }
  const cancelled = call(client, 'search_operations', { query: 'cancel me', limit: 50 }, { signal: controller.signal });
  await assert.rejects(cancelled);
  await Promise.all(work);
  await client.ping(); // answered in order: everything before it is done
  await new Promise((r) => setTimeout(r, 100));
  transport.send = send;
  transport.onmessage = onmessage;
  assert.ok(target !== undefined, 'the request was sent');
  assert.ok(!seen.has(target), `request ${target} was answered after its cancellation`);
});

await client.close();

await check('tools/list pagination (--page-size 1)', async () => {
  const { client: c } = await connect(widgets, ['--page-size', '1']);
  const names = [];
  let cursor;
  let pages = 0;
  do {
    const page = await c.listTools(cursor ? { cursor } : undefined);
    names.push(...page.tools.map((t) => t.name));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 20);
  assert.deepEqual(names, TOOLS);
  assert.equal(pages, TOOLS.length);
  await assert.rejects(c.listTools({ cursor: 'not-a-cursor' }), (e) => e.code === -32602);
  await c.close();
});

// ---- the v2 client: the stateless 2026-07-28 revision ---------------------

for (const mode of [{ pin: '2026-07-28' }, 'auto']) {
  await check(`2026-07-28 with @modelcontextprotocol/client (${JSON.stringify(mode)})`, async () => {
    const c = new ModernClient({ name: 'airlock-modern-test', version: '1.0.0' },
      { versionNegotiation: { mode } });
    await c.connect(new ModernStdio({ command: airlock, args: ['serve', '--catalog', fullCatalog], stderr: 'inherit' }));
    assert.equal(c.getNegotiatedProtocolVersion(), '2026-07-28');
    assert.equal(c.getServerVersion().name, 'airlock');
    const list = await c.listTools();
    assert.deepEqual(list.tools.map((t) => t.name), TOOLS);
    assert.ok(list.ttlMs > 0);
    assert.equal(list.cacheScope, 'public');
    const d = structured(await c.callTool({ name: 'describe_operation', arguments: { service: 'sts', operation: 'GetCallerIdentity' } }));
    assert.equal(d.operation, 'GetCallerIdentity');
    const e = await c.callTool({ name: 'describe_operation', arguments: { service: 'sts', operation: 'WhoAmI' } });
    assert.equal(e.isError, true);
    await c.close();
  });
}

// ---- raw JSON-RPC ---------------------------------------------------------

// A server driven line by line: send() returns the reply to the request.
function rawServer(catalog) {
  const child = spawn(airlock, ['serve', '--catalog', catalog], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = '';
  const waiting = new Map();
  child.stdout.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const msg = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if ('id' in msg && waiting.has(msg.id)) {
        waiting.get(msg.id)(msg);
        waiting.delete(msg.id);
      }
    }
  });
  return {
    child,
    send(msg) {
      return new Promise((resolve) => {
        waiting.set(msg.id, resolve);
        child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...msg })}\n`);
      });
    },
    close() {
      child.stdin.end();
      return new Promise((r) => child.on('close', r));
    },
  };
}

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
};

await check('raw 2026-07-28: server/discover, resultType, caching hints, -32022', async () => {
  const t0 = process.hrtime.bigint();
  const s = rawServer(fullCatalog);
  const list = await s.send({ id: 1, method: 'tools/list', params: { _meta: META } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`     first tools/list reply ${ms.toFixed(1)} ms after spawn (node's spawn included)`);
  assert.equal(list.result.resultType, 'complete');
  assert.equal(list.result.tools.length, TOOLS.length);
  const d = (await s.send({ id: 2, method: 'server/discover', params: { _meta: META } })).result;
  assert.deepEqual(d.supportedVersions, ['2026-07-28']);
  assert.equal(d.resultType, 'complete');
  assert.ok(d.ttlMs > 0);
  assert.equal(d.cacheScope, 'public');
  assert.ok(d.capabilities.tools);
  assert.equal(d._meta['io.modelcontextprotocol/serverInfo'].name, 'airlock');
  const call = (await s.send({
    id: 3, method: 'tools/call',
    params: { name: 'search_operations', arguments: { query: 'who am i', limit: 3 }, _meta: META },
  })).result;
  assert.equal(call.resultType, 'complete');
  assert.equal(call.isError, false);
  const bad = await s.send({ id: 4, method: 'tools/list', params: { _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } } });
  assert.equal(bad.error.code, -32022);
  assert.deepEqual(bad.error.data, { requested: '2099-01-01', supported: ['2026-07-28'] });
  const nometa = await s.send({ id: 5, method: 'tools/list' });
  assert.equal(nometa.error.code, -32600);
  await s.close();
});

await check('raw legacy negotiation: 2024-11-05 is echoed, unknown gets 2025-11-25', async () => {
  const s = rawServer(widgets);
  const a = await s.send({ id: 1, method: 'initialize', params: { protocolVersion: '2024-11-05', capabilities: {} } });
  assert.equal(a.result.protocolVersion, '2024-11-05');
  const tools = (await s.send({ id: 2, method: 'tools/list' })).result.tools;
  assert.equal(tools[0].annotations, undefined);
  assert.equal(tools[0].outputSchema, undefined);
  const b = await s.send({ id: 3, method: 'initialize', params: { protocolVersion: '1999-01-01', capabilities: {} } });
  assert.equal(b.result.protocolVersion, '2025-11-25');
  await s.close();
});

console.log(`sdk_test: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
