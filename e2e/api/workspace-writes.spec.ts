// Write actions of the agents' API: the change and its audit row commit together, bad input is
// refused before the policy runs, and the policy's resource and payment rules decide.
// @see 8fa59d0 (Workspace write actions): the commit whose behaviour these tests guard.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { testDb } from '../support/db';
import { delegatedToken, setPolicy } from '../support/delegation';
import { clientCredentialsToken, registerMachineClient } from '../support/oauth';

const writerToken = (request: APIRequestContext, baseURL: string) => delegatedToken(request, baseURL, 'reports:write payments:write');

const audited = async (requestId: string) => (await testDb().query('SELECT decision, reason, details FROM audit_events WHERE request_id = $1', [requestId])).rows[0];

test('an agent writes a report: the row and its audit record commit together; it appears in the list', async ({ request, baseURL }) => {
  const { auth, userId } = await writerToken(request, baseURL!);
  const created = await request.post('/api/v1/reports', { headers: auth, data: { title: 'Weekly sales', dataset_id: 'ds_sales_2026', body: 'Up 4%.' } });
  expect(created.status()).toBe(201);
  const report = await created.json();
  expect(report).toMatchObject({ title: 'Weekly sales', dataset_id: 'ds_sales_2026' });
  const audit = await audited(created.headers()['x-request-id']!);
  expect(audit).toMatchObject({ decision: 'ALLOW', details: { status: 201, notify: true } }); // writes notify by default
  const { rows } = await testDb().query('SELECT title FROM reports WHERE user_id = $1 AND agent_id IS NOT NULL', [userId]);
  expect(rows).toEqual([{ title: 'Weekly sales' }]);
  const list = await (await request.get('/api/v1/reports', { headers: auth })).json();
  expect(list.reports[0]).toMatchObject({ id: report.id, title: 'Weekly sales' });
});

test('bad input is 400 invalid_request, recorded, and writes nothing', async ({ request, baseURL }) => {
  const { auth, userId } = await writerToken(request, baseURL!);
  for (const data of [{ title: '', dataset_id: 'ds_sales_2026' }, { title: 'x', dataset_id: 'ds_unknown' }, 'not json']) {
    const response = await request.post('/api/v1/reports', { headers: { ...auth, 'Content-Type': 'application/json' }, data });
    expect(response.status()).toBe(400);
    expect((await response.json()).error).toBe('invalid_request');
    expect((await audited(response.headers()['x-request-id']!)).decision).toBe('DENY');
  }
  const { rows } = await testDb().query('SELECT count(*)::int AS n FROM reports WHERE user_id = $1 AND agent_id IS NOT NULL', [userId]);
  expect(rows[0].n).toBe(0);
});

test("the policy's dataset and sensitivity rules apply to writes", async ({ request, baseURL }) => {
  const { auth, userId, agentId } = await writerToken(request, baseURL!);
  await setPolicy({ userId, agentId }, { resources: { datasets: ['ds_public_prices', 'ds_support_tickets'], maxSensitivity: 'internal' } });
  const write = (dataset_id: string) => request.post('/api/v1/reports', { headers: auth, data: { title: 't', dataset_id } });
  expect((await write('ds_public_prices')).status()).toBe(201);
  const otherDataset = await write('ds_sales_2026');
  expect(otherDataset.status()).toBe(403);
  expect((await otherDataset.json()).policy_rule).toBe('datasets');
  const tooSensitive = await write('ds_support_tickets');
  expect((await tooSensitive.json()).policy_rule).toBe('sensitivity');
});

test('payments need approval by default; a policy can allow them up to a limit', async ({ request, baseURL }) => {
  const { auth, userId, agentId } = await writerToken(request, baseURL!);
  const pay = (amount: string, currency = 'USD') => request.post('/api/v1/payments', { headers: auth, data: { amount, currency, creditor_name: 'ACME Ltd' } });
  const byDefault = await pay('12.50');
  expect(byDefault.status()).toBe(403);
  expect((await byDefault.json()).error).toBe('approval_required');

  await setPolicy({ userId, agentId }, { actions: { 'payments.initiate': 'allow' }, paymentLimit: { currency: 'USD', amountMinor: 100000 } });
  const small = await pay('999.99');
  expect(small.status()).toBe(201);
  expect(await small.json()).toMatchObject({ amount: '999.99', currency: 'USD', status: 'initiated' });
  const large = await pay('1250.00');
  expect(large.status()).toBe(403);
  expect(await large.json()).toMatchObject({ error: 'access_denied', policy_rule: 'payment-limit' });
  expect((await pay('10.00', 'EUR')).status()).toBe(403);
  const { rows } = await testDb().query('SELECT amount_minor::int AS amount FROM payments WHERE user_id = $1', [userId]);
  expect(rows).toEqual([{ amount: 99999 }]);
});

test('an agent acting as itself cannot write into a workspace', async ({ request }) => {
  const client = await registerMachineClient(request, { scope: 'reports:write' });
  const token = await clientCredentialsToken(request, client, { scope: 'reports:write' });
  const response = await request.post('/api/v1/reports', { headers: { Authorization: `Bearer ${token}` }, data: { title: 't', dataset_id: 'ds_sales_2026' } });
  expect(response.status()).toBe(403);
  expect((await audited(response.headers()['x-request-id']!)).reason).toBe('needs a user-delegated token');
});
