// The sample API end to end with a user-delegated token: every operation, its standard errors,
// the `_links` that follow the token's scopes and policy, the OpenAPI description generated from
// the same schemas, and a call that cannot be audited changing nothing.
// @see ceea857 (The whole sample API as operations defined once): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { testDb } from '../support/db';
import { auditRow, delegatedToken, setPolicy } from '../support/delegation';

const ALL = 'datasets:read reports:write workflows:trigger invoices:write payments:write';
const rels = (body: { _links?: Record<string, unknown> }) => Object.keys(body._links ?? {}).sort();

test('datasets: list with a query link per dataset, query with filters and paging, unknown columns and datasets refused', async ({ request, baseURL }) => {
  const { auth } = await delegatedToken(request, baseURL!, 'datasets:read');
  const list = await (await request.get('/api/v1/datasets', { headers: auth })).json();
  const sales = list.datasets.find((d: { id: string }) => d.id === 'ds_sales_2026');
  expect(sales).toMatchObject({ sensitivity: 'internal', rows: 99, _links: { query: { method: 'POST', href: `${baseURL}/api/v1/datasets/ds_sales_2026/query`, tool: 'query_dataset' } } });

  const query = await request.post('/api/v1/datasets/ds_sales_2026/query', { headers: auth, data: { filters: { region: 'EMEA', product: 'Team' }, limit: 5 } });
  expect(query.status()).toBe(200);
  const result = await query.json();
  expect(result.total).toBe(11);
  expect(result.rows).toHaveLength(5);
  expect(result.rows.every((r: { region: string; product: string }) => r.region === 'EMEA' && r.product === 'Team')).toBe(true);
  expect(rels(result)).toEqual([]); // datasets:read only: no link to write a report

  const badColumn = await request.post('/api/v1/datasets/ds_sales_2026/query', { headers: auth, data: { filters: { salary: 1 } } });
  expect(badColumn.status()).toBe(400);
  expect(await badColumn.json()).toEqual({ error: 'invalid_request', error_description: 'Unknown column "salary"; this dataset has: month, region, product, revenue.' });
  expect(await auditRow(badColumn.headers()['x-request-id']!)).toMatchObject({ decision: 'DENY', reason: expect.stringContaining('not performed: Unknown column') });

  const unknown = await request.post('/api/v1/datasets/ds_nope/query', { headers: auth, data: {} });
  expect(unknown.status()).toBe(404);
  expect((await unknown.json()).error).toBe('not_found');
});

test('reports: the seeded ones are listed, read, updated; another user’s report is 404 and unchanged', async ({ request, baseURL }) => {
  const owner = await delegatedToken(request, baseURL!, 'reports:write');
  const list = await (await request.get('/api/v1/reports', { headers: owner.auth })).json();
  expect(list.reports.map((r: { title: string }) => r.title).sort()).toEqual(['Q3 revenue', 'Ticket trends']);
  expect(list._links.read).toMatchObject({ href: `${baseURL}/api/v1/reports/{report_id}`, templated: true, method: 'GET' });
  const q3 = list.reports.find((r: { title: string }) => r.title === 'Q3 revenue');

  const read = await (await request.get(`/api/v1/reports/${q3.id}`, { headers: owner.auth })).json();
  expect(read).toMatchObject({ id: q3.id, dataset_id: 'ds_sales_2026', body: expect.stringContaining('Revenue grew') });
  expect(read._links.update).toMatchObject({ method: 'PATCH', href: `${baseURL}/api/v1/reports/${q3.id}`, tool: 'update_report' });

  const patched = await request.patch(`/api/v1/reports/${q3.id}`, { headers: owner.auth, data: { title: 'Q3 revenue (final)' } });
  expect(patched.status()).toBe(200);
  expect(await patched.json()).toMatchObject({ title: 'Q3 revenue (final)', body: read.body });
  expect(await auditRow(patched.headers()['x-request-id']!)).toMatchObject({ action: 'reports.update', decision: 'ALLOW', details: { notify: true } });
  const empty = await request.patch(`/api/v1/reports/${q3.id}`, { headers: owner.auth, data: {} });
  expect(empty.status()).toBe(400);

  const stranger = await delegatedToken(request, baseURL!, 'reports:write');
  for (const response of [
    await request.get(`/api/v1/reports/${q3.id}`, { headers: stranger.auth }),
    await request.patch(`/api/v1/reports/${q3.id}`, { headers: stranger.auth, data: { title: 'hijacked' } }),
    await request.get('/api/v1/reports/not-a-uuid', { headers: stranger.auth }),
  ]) {
    expect(response.status()).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', error_description: 'No such item in this workspace.' });
  }
  const { rows } = await testDb().query('SELECT title FROM reports WHERE id = $1', [q3.id]);
  expect(rows[0].title).toBe('Q3 revenue (final)');
});

test('reads need only the read scope; the links offer a write only when the token holds its scope', async ({ request, baseURL }) => {
  const reader = await delegatedToken(request, baseURL!, 'reports:read');
  const list = await (await request.get('/api/v1/reports', { headers: reader.auth })).json();
  expect(rels(list)).toEqual(['read']);
  const read = await (await request.get(`/api/v1/reports/${list.reports[0].id}`, { headers: reader.auth })).json();
  expect(rels(read)).toEqual(['collection']);
  const denied = await request.patch(`/api/v1/reports/${list.reports[0].id}`, { headers: reader.auth, data: { title: 'x' } });
  expect(denied.status()).toBe(403);
  expect((await denied.json()).error).toBe('insufficient_scope');
});

test('workflows: listing is allowed, a run needs approval by default and is created once the policy allows it', async ({ request, baseURL }) => {
  const delegation = await delegatedToken(request, baseURL!, 'workflows:trigger');
  const list = await (await request.get('/api/v1/workflows', { headers: delegation.auth })).json();
  expect(list.workflows.map((w: { id: string }) => w.id)).toEqual(['wf_monthly_close', 'wf_ticket_digest', 'wf_price_sync']);
  expect(list.workflows[0]._links).toEqual({}); // approval needed: not a link this token can follow now

  const waiting = await request.post('/api/v1/workflows/wf_monthly_close/runs', { headers: delegation.auth, data: { parameters: { month: '2026-11' } } });
  expect(waiting.status()).toBe(403);
  expect(await waiting.json()).toMatchObject({ error: 'approval_required', policy_rule: 'permit:workflows.trigger', required_scope: 'workflows:trigger' });
  expect(await auditRow(waiting.headers()['x-request-id']!)).toMatchObject({ decision: 'APPROVAL' });

  await setPolicy(delegation, { actions: { 'workflows.trigger': 'notify' }, resources: { datasets: ['ds_sales_2026'] } });
  const listed = await (await request.get('/api/v1/workflows', { headers: delegation.auth })).json();
  // The policy's dataset rule decides per workflow: only the one on ds_sales_2026 may be started.
  expect(listed.workflows.map((w: { _links: object }) => Object.keys(w._links))).toEqual([['trigger'], [], []]);
  const run = await request.post('/api/v1/workflows/wf_monthly_close/runs', { headers: delegation.auth, data: { parameters: { month: '2026-11' } } });
  expect(run.status()).toBe(201);
  expect(await run.json()).toMatchObject({ workflow_id: 'wf_monthly_close', status: 'queued', parameters: { month: '2026-11' } });
  expect((await request.post('/api/v1/workflows/wf_ticket_digest/runs', { headers: delegation.auth, data: {} })).status()).toBe(403);
  expect((await request.post('/api/v1/workflows/wf_unknown/runs', { headers: delegation.auth, data: {} })).status()).toBe(404);
  const { rows } = await testDb().query('SELECT workflow_id, parameters FROM workflow_runs WHERE user_id = $1', [delegation.userId]);
  expect(rows).toEqual([{ workflow_id: 'wf_monthly_close', parameters: { month: '2026-11' } }]);
  const after = await (await request.get('/api/v1/workflows', { headers: delegation.auth })).json();
  expect(after.workflows[0].last_run).toMatchObject({ status: 'queued' });
});

test('invoices: read, dispute needs a second factor by default, a policy may allow it; disputing twice is a conflict', async ({ request, baseURL }) => {
  const delegation = await delegatedToken(request, baseURL!, 'invoices:write payments:write');
  const list = await (await request.get('/api/v1/invoices', { headers: delegation.auth })).json();
  expect(list.invoices.map((i: { number: string; status: string }) => `${i.number} ${i.status}`)).toEqual(['INV-2026-0139 paid', 'INV-2026-0142 open', 'INV-2026-0151 open']);
  const acme = list.invoices.find((i: { vendor: string }) => i.vendor === 'ACME Ltd');
  expect(acme).toMatchObject({ amount: '1250.00', currency: 'USD', due_on: '2026-12-05' });

  const stepUp = await request.post(`/api/v1/invoices/${acme.id}/dispute`, { headers: delegation.auth, data: { reason: 'Billed twice for November.' } });
  expect(stepUp.status()).toBe(401);
  expect(stepUp.headers()['www-authenticate']).toContain('error="insufficient_user_authentication"');

  await setPolicy(delegation, { actions: { 'invoices.dispute': 'allow', 'payments.initiate': 'allow' }, paymentLimit: { currency: 'USD', amountMinor: 200_000 } });
  const read = await (await request.get(`/api/v1/invoices/${acme.id}`, { headers: delegation.auth })).json();
  expect(rels(read)).toEqual(['collection', 'dispute', 'pay']);
  const globex = list.invoices.find((i: { vendor: string }) => i.vendor === 'Globex Corporation');
  // 12,900.00 USD is above the payment limit: no "pay" link for it.
  expect(rels(await (await request.get(`/api/v1/invoices/${globex.id}`, { headers: delegation.auth })).json())).toEqual(['collection', 'dispute']);

  const dispute = await request.post(`/api/v1/invoices/${acme.id}/dispute`, { headers: delegation.auth, data: { reason: 'Billed twice for November.' } });
  expect(dispute.status()).toBe(200);
  expect(await dispute.json()).toMatchObject({ status: 'disputed', dispute_reason: 'Billed twice for November.' });
  const again = await request.post(`/api/v1/invoices/${acme.id}/dispute`, { headers: delegation.auth, data: { reason: 'Still wrong.' } });
  expect(again.status()).toBe(409);
  expect((await again.json()).error).toBe('conflict');
  expect(await auditRow(again.headers()['x-request-id']!)).toMatchObject({ decision: 'DENY', reason: expect.stringContaining('not performed') });
  const { rows } = await testDb().query('SELECT status, dispute_reason FROM invoices WHERE id = $1', [acme.id]);
  expect(rows[0]).toEqual({ status: 'DISPUTED', dispute_reason: 'Billed twice for November.' });
});

test('a call whose audit row cannot be written answers 503 and changes nothing', async ({ request, baseURL }) => {
  const delegation = await delegatedToken(request, baseURL!, 'reports:write');
  const trigger = `refuse_audit_${delegation.agentId.replace(/-/g, '')}`;
  await testDb().query(`CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit storage unavailable'; END; $$`);
  await testDb().query(`CREATE TRIGGER ${trigger} BEFORE INSERT ON audit_events FOR EACH ROW WHEN (NEW.agent_id = '${delegation.agentId}') EXECUTE FUNCTION ${trigger}()`);
  try {
    const response = await request.post('/api/v1/reports', { headers: delegation.auth, data: { title: 'Never written', dataset_id: 'ds_sales_2026' } });
    expect(response.status()).toBe(503);
    expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' });
  } finally {
    await testDb().query(`DROP TRIGGER ${trigger} ON audit_events`);
    await testDb().query(`DROP FUNCTION ${trigger}()`);
  }
  const { rows } = await testDb().query("SELECT count(*)::int AS n FROM reports WHERE user_id = $1 AND title = 'Never written'", [delegation.userId]);
  expect(rows[0].n).toBe(0);
});

test('the OpenAPI document describes every operation and its answer from their schemas, with its scope', async ({ request, baseURL }) => {
  const response = await request.get('/api/v1/openapi.json');
  expect(response.status()).toBe(200);
  const doc = await response.json();
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.paths).sort()).toEqual([
    '/api/v1/datasets',
    '/api/v1/datasets/{dataset_id}/query',
    '/api/v1/invoices',
    '/api/v1/invoices/{invoice_id}',
    '/api/v1/invoices/{invoice_id}/dispute',
    '/api/v1/payments',
    '/api/v1/reports',
    '/api/v1/reports/{report_id}',
    '/api/v1/workflows',
    '/api/v1/workflows/{workflow_id}/runs',
  ]);
  const pay = doc.paths['/api/v1/payments'].post;
  expect(pay).toMatchObject({ operationId: 'initiate_payment', security: [{ oauth2: ['payments:write'] }], 'x-leash-default-risk': 'approval' });
  expect(pay.requestBody.content['application/json'].schema).toMatchObject({
    type: 'object',
    required: ['amount', 'currency', 'creditor_name'],
    properties: { currency: { type: 'string', pattern: '^[A-Z]{3}$' } },
  });
  expect(doc.paths['/api/v1/reports/{report_id}'].patch.parameters[0]).toMatchObject({ name: 'report_id', in: 'path', required: true, schema: { format: 'uuid' } });
  // Answers too, as named components (lib/workspace/openapi.test.ts checks every operation).
  expect(pay.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Payment' });
  expect(doc.components.schemas.Payment).toMatchObject({
    required: ['id', 'amount', 'currency', 'creditor_name', 'status', 'created_at'],
    properties: { status: { const: 'initiated' }, created_at: { format: 'date-time' } },
  });
  expect(doc.paths['/api/v1/reports/{report_id}'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Report' });
  expect(doc.components.schemas.Report.properties._links.properties.update).toEqual({ $ref: '#/components/schemas/Link' });
  expect(doc.components.securitySchemes.oauth2.flows.authorizationCode.tokenUrl).toBe(`${baseURL}/oauth/token`);
});

test('the same operations are MCP tools behind the same policy', async ({ request, baseURL }) => {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const delegation = await delegatedToken(request, baseURL!, ALL, { resource: `${baseURL}/mcp` });
  const client = new Client({ name: 'leash-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', baseURL), { requestInit: { headers: delegation.auth } }));
  try {
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(12);
    const query = tools.find((t) => t.name === 'query_dataset')!;
    expect(query.inputSchema.required).toEqual(['dataset_id']);
    const answer = await client.callTool({ name: 'query_dataset', arguments: { dataset_id: 'ds_public_prices', filters: { product: 'Team' } } });
    expect(answer.isError).toBeFalsy();
    const body = JSON.parse((answer.content as { text: string }[])[0]!.text);
    expect(body).toMatchObject({ total: 2, _links: { create_report: { tool: 'create_report' } } });
    const pay = await client.callTool({ name: 'initiate_payment', arguments: { amount: '10.00', currency: 'USD', creditor_name: 'ACME Ltd' } });
    expect(pay.isError).toBe(true);
    expect(JSON.parse((pay.content as { text: string }[])[0]!.text)).toMatchObject({ error: 'approval_required' });
  } finally {
    await client.close();
  }
  const { rows } = await testDb().query('SELECT count(*)::int AS n FROM payments WHERE user_id = $1', [delegation.userId]);
  expect(rows[0].n).toBe(0);
});
