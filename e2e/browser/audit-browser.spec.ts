// The audit browser in Chromium: the records an agent's calls produced can be filtered, opened,
// paged, verified and exported; another user sees none of them, through the page or the routes.
// @see da2e3f5 (Audit browser): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { createAccount, uniqueEmail, signedInPage } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken } from '../support/delegation';

const password = 'a-long-enough-passphrase';

test('filters, the record drawer, paging, chain verification and export show what the calls produced', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('auditor'), password });
  const page = await signedInPage(browser, user.email, { acceptDownloads: true });
  const agent = await delegatedToken(page.request, baseURL!, 'datasets:read', {}, { signedInAs: user, agentName: 'Audited agent' });
  const intent = 'Count urgent tickets for the Monday review';
  for (let i = 0; i < 55; i++) expect((await page.request.get('/api/v1/datasets', { headers: agent.auth })).status()).toBe(200);
  const denied = await page.request.get('/api/v1/reports', { headers: { ...agent.auth, 'Agent-Intent': intent } });
  expect(denied.status()).toBe(403);

  await page.goto('/audit');
  const list = page.getByRole('list', { name: 'Audit events' });
  await expect(list.getByRole('listitem')).toHaveCount(50); // one keyset page
  await page.getByRole('button', { name: 'Load older records' }).click();
  await expect(list.getByRole('listitem')).toHaveCount(58); // 56 calls, the consent and the token's issuance
  await expect(page.getByText('That is everything.')).toBeVisible();

  // Filter: this agent's refusals.
  // Agents are listed with the mark that tells look-alikes apart (the end of the client id).
  await page.getByLabel('Agent').selectOption({ label: `Audited agent · id …${agent.clientId.slice(-6)}` });
  await page.getByLabel('Decision').selectOption('DENY');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/decision=DENY/);
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await list.getByRole('button').first().click();
  const drawer = page.getByRole('dialog');
  await expect(drawer).toContainText('reports.list');
  await expect(drawer).toContainText('missing scope (needs reports:read)');
  await expect(drawer).toContainText(/sha256:[0-9a-f]{64}/); // the intent, kept as its hash by default
  await expect(drawer).toContainText(denied.headers()['x-request-id']!);
  await drawer.getByRole('button', { name: 'Close' }).click();

  // Free text finds the same record by its request id.
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByLabel('Text').fill(denied.headers()['x-request-id']!);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(list.getByRole('listitem')).toHaveCount(1);

  await page.getByRole('button', { name: 'Verify now' }).click();
  await expect(page.getByRole('status', { name: 'Chain verification' })).toContainText(/Chain verified: all \d+ records are intact/);

  // Export of the current filter (the one record), as CSV and as JSONL.
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  const text = await (await csv.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString());
  const lines = text.trim().split('\r\n');
  expect(lines[0]).toMatch(/^id,createdAt,userId,agentId,agentName,action/);
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain('reports.list');
  const jsonl = await page.request.get(`/api/account/audit/export?format=jsonl&agent=${agent.agentId}`);
  expect(jsonl.headers()['content-type']).toContain('application/x-ndjson');
  const records = (await jsonl.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(records).toHaveLength(58); // the calls, the consent and the issuance
  expect(records.filter((r) => r.decision === 'DENY')).toHaveLength(1);
});

test('another user’s audit view and routes contain none of these records', async ({ browser, request, baseURL }) => {
  const owner = await createAccount(request, baseURL, { email: uniqueEmail('audit-owner'), password });
  const ownerPage = await signedInPage(browser, owner.email, { acceptDownloads: true });
  const agent = await delegatedToken(ownerPage.request, baseURL!, 'datasets:read', {}, { signedInAs: owner, agentName: 'Secret agent' });
  const call = await ownerPage.request.get('/api/v1/datasets', { headers: agent.auth });
  const requestId = call.headers()['x-request-id']!;

  const other = await createAccount(request, baseURL, { email: uniqueEmail('audit-other'), password });
  const otherPage = await signedInPage(browser, other.email, { acceptDownloads: true });
  await otherPage.goto(`/audit?agent=${agent.agentId}`);
  await expect(otherPage.getByRole('heading', { name: 'No records match these filters' })).toBeVisible();
  const search = await (await otherPage.request.get(`/api/account/audit?q=${requestId}`)).json();
  expect(search.events).toEqual([]);
  const exported = await otherPage.request.get(`/api/account/audit/export?format=jsonl&agent=${agent.agentId}`);
  expect(await exported.text()).toBe('');
  expect((await otherPage.request.get('/api/account/audit?decision=MAYBE')).status()).toBe(400);
  expect((await request.get('/api/account/audit')).status()).toBe(401);
  const mine = await (await ownerPage.request.get(`/api/account/audit?q=${requestId}`)).json();
  expect(mine.events).toHaveLength(1);
});

test('an administrator sees every user’s records', async ({ browser, request, baseURL }) => {
  const owner = await createAccount(request, baseURL, { email: uniqueEmail('audited-user'), password });
  const ownerPage = await signedInPage(browser, owner.email, { acceptDownloads: true });
  const agent = await delegatedToken(ownerPage.request, baseURL!, 'datasets:read', {}, { signedInAs: owner, agentName: 'Watched agent' });
  const requestId = (await ownerPage.request.get('/api/v1/datasets', { headers: agent.auth })).headers()['x-request-id']!;

  const admin = await createAccount(request, baseURL, { email: uniqueEmail('audit-admin'), password });
  await testDb().query("UPDATE users SET role = 'ADMIN' WHERE email = $1", [admin.email]);
  const adminPage = await signedInPage(browser, admin.email, { acceptDownloads: true });
  const found = await (await adminPage.request.get(`/api/account/audit?q=${requestId}`)).json();
  expect(found.events).toHaveLength(1);
  expect(found.events[0]).toMatchObject({ agentName: 'Watched agent', action: 'datasets.list' });
  await adminPage.goto(`/audit?q=${requestId}`);
  await expect(adminPage.getByText('Every decision Leash made, for every user')).toBeVisible();
  await expect(adminPage.getByRole('list', { name: 'Audit events' }).getByRole('listitem')).toHaveCount(1);
});
