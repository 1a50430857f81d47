// The agent detail screen and the policy editor, driven in Chromium as the user: a policy change
// saved in the editor decides the agent's very next call (and the simulator predicts it), rollback
// restores the earlier behaviour, hand-written Cedar is validated as it is typed, and "narrow to
// what is used" removes unused scopes. Another user reaches none of it.
// @see d141c6c (Agents screen with sparklines and an overview chart;): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { createAccount, sameOrigin, uniqueEmail, signedInPage } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken } from '../support/delegation';

const password = 'a-long-enough-passphrase';

test('editing the policy decides the next call, the simulator predicts it, and rollback restores it', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('editor'), password });
  const page = await signedInPage(browser, user.email);
  const agent = await delegatedToken(page.request, baseURL!, 'datasets:read reports:write', {}, { signedInAs: user, agentName: 'Report writer' });
  const write = () => page.request.post('/api/v1/reports', { headers: agent.auth, data: { title: 'Weekly', dataset_id: 'ds_sales_2026' } });
  expect((await write()).status()).toBe(201);

  await page.goto('/agents');
  await page.getByRole('link', { name: 'Report writer' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Report writer');
  const usage = page.getByRole('region', { name: 'Permissions granted vs used' });
  await expect(usage.getByRole('listitem').filter({ hasText: 'Create and update your reports' })).toContainText('used');
  await expect(usage.getByRole('listitem').filter({ hasText: 'List and query your datasets' })).toContainText('not used in 30 days');
  await expect(page.getByRole('region', { name: 'Recent activity' })).toContainText('Create a report');
  await expect(page.getByRole('list', { name: 'Active tokens' }).getByRole('listitem')).toHaveCount(1);
  await expect(page.getByRole('list', { name: 'Active tokens' })).toContainText('last used');

  await page.getByRole('link', { name: 'Edit policy' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Policy for Report writer');
  // v1: a lower rate limit.
  await page.getByLabel('Calls per minute').fill('120');
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByText('Saved as version 1.')).toBeVisible();
  expect((await write()).status()).toBe(201);

  // v2: deny creating reports. The simulator predicts it before saving.
  await page.getByLabel('Create a report reports:write').selectOption('deny');
  await page.getByRole('tab', { name: 'Simulator' }).click();
  await page.getByLabel('Action').selectOption('reports.create');
  await page.getByRole('button', { name: 'Simulate' }).click();
  const result = page.getByRole('status', { name: 'Simulation result' });
  await expect(result).toContainText('Denied');
  await expect(result).toContainText('deny-action:reports.create');
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByText('Saved as version 2.')).toBeVisible();
  const denied = await write();
  expect(denied.status()).toBe(403);
  expect(await denied.json()).toMatchObject({ error: 'access_denied', policy_rule: 'deny-action:reports.create' });

  // History: compare v1 with v2, then roll back to v1 (saved as v3).
  await page.getByRole('tab', { name: 'History' }).click();
  const versions = page.getByRole('list', { name: 'Versions' });
  await expect(versions.getByRole('listitem')).toHaveCount(2);
  await versions.getByRole('listitem').filter({ hasText: 'Version 1' }).getByRole('button', { name: 'Compare with current' }).click();
  await expect(page.getByLabel('Changes from version 1 to version 2')).toContainText('+     "reports.create": "deny"');
  await versions.getByRole('button', { name: 'Roll back to v1' }).click();
  await page.getByRole('group', { name: 'Roll back to v1' }).getByRole('button', { name: 'Roll back' }).click();
  await expect(page.getByText('Version 3 is in force.')).toBeVisible();
  expect((await write()).status()).toBe(201);
  const { rows } = await testDb().query("SELECT reason FROM audit_events WHERE agent_id = $1 AND action = 'policy.update' ORDER BY id", [agent.agentId]);
  expect(rows.map((r) => r.reason)).toEqual(['policy v1 saved', 'policy v2 saved', 'policy v3 saved']);
});

test('hand-written Cedar is validated as it is typed and cannot be saved while invalid', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('cedar'), password });
  const page = await signedInPage(browser, user.email);
  const agent = await delegatedToken(page.request, baseURL!, 'datasets:read', {}, { signedInAs: user, agentName: 'Cedar agent' });
  await page.goto(`/agents/${agent.agentId}/policy`);
  await page.getByRole('tab', { name: 'Advanced' }).click();
  await expect(page.getByLabel('Cedar policy')).toHaveValue(/@id\("permit:datasets.list"\)/);
  await page.getByLabel('Cedar policy').fill('permit (principal, action, resource) when { resource.owner == "me" };');
  await expect(page.getByRole('list', { name: 'Cedar problems' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save policy' })).toBeDisabled();
  await page.getByLabel('Cedar policy').fill('@id("reads-only")\n@reason("only dataset lists")\npermit (principal, action == Leash::Action::"datasets.list", resource);');
  await expect(page.getByText('Valid against Leash’s Cedar schema.')).toBeVisible();
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByText('Saved as version 1.')).toBeVisible();
  const allowed = await page.request.get('/api/v1/datasets', { headers: agent.auth });
  expect(allowed.status()).toBe(200);
  const { rows } = await testDb().query('SELECT reason FROM audit_events WHERE request_id = $1', [allowed.headers()['x-request-id']]);
  expect(rows[0].reason).toBe('policy v1 reads-only: only dataset lists');
});

test('"narrow to what is used" removes unused scopes from the policy, and another user reaches none of it', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('narrow'), password });
  const page = await signedInPage(browser, user.email);
  const agent = await delegatedToken(page.request, baseURL!, 'datasets:read reports:read', {}, { signedInAs: user, agentName: 'Narrow agent' });
  expect((await page.request.get('/api/v1/reports', { headers: agent.auth })).status()).toBe(200);
  await page.goto(`/agents/${agent.agentId}`);
  await page.getByRole('button', { name: 'Narrow to what is used' }).click();
  await page.getByRole('button', { name: 'Narrow', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Policy v1' })).toContainText('Read your reports');
  await expect(page.getByRole('region', { name: 'Policy v1' })).not.toContainText('List and query your datasets');
  const denied = await page.request.get('/api/v1/datasets', { headers: agent.auth });
  expect(denied.status()).toBe(403);
  expect((await denied.json()).policy_rule).toBe('scope-ceiling:datasets.list');

  const other = await createAccount(request, baseURL, { email: uniqueEmail('intruder'), password });
  const intruder = await signedInPage(browser, other.email);
  // The dashboard streams (loading.tsx), so a missing agent shows the not-found page in the body.
  for (const path of [`/agents/${agent.agentId}`, `/agents/${agent.agentId}/policy`]) {
    await intruder.goto(path);
    await expect(intruder.getByRole('heading', { name: 'This page does not exist' })).toBeVisible();
    await expect(intruder.getByText('Narrow agent')).toHaveCount(0);
  }
  const save = await intruder.request.post(`/api/account/agents/${agent.agentId}/policy`, {
    headers: sameOrigin(baseURL),
    data: { document: {}, expected_version: 1 },
  });
  expect(save.status()).toBe(404);
  const check = await intruder.request.post(`/api/account/agents/${agent.agentId}/policy/check`, { headers: sameOrigin(baseURL), data: { document: {} } });
  expect(check.status()).toBe(404);
});
