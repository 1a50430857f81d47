// The denied-calls anomaly rule: an agent refused ten times within five minutes raises one alert
// (not one per refusal), shown on the Agents screen until the user acknowledges it.
// @see bde9770 (First anomaly rule): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { createAccount, signedInPage, uniqueEmail } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken, setPolicy } from '../support/delegation';

const password = 'a-long-enough-passphrase';

test('ten refusals in five minutes raise one alert, shown until acknowledged', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('alerts'), password });
  const page = await signedInPage(browser, user.email);
  const agent = await delegatedToken(page.request, baseURL!, 'datasets:read', {}, { signedInAs: user, agentName: 'Probing agent' });

  const probe = () => request.get('/api/v1/invoices', { headers: agent.auth }); // no invoices:read: refused
  for (let i = 0; i < 9; i++) expect((await probe()).status()).toBe(403);
  const count = async () => (await testDb().query("SELECT count(*)::int AS n FROM alerts WHERE agent_id = $1 AND kind = 'denied_calls'", [agent.agentId])).rows[0].n;
  expect(await count()).toBe(0);
  await Promise.all([probe(), probe(), probe()]); // the tenth, and two more at once
  // The rule runs after the answer (it never changes it): the alert follows within moments. Only
  // one: acknowledging it below empties the list.
  await expect.poll(count).toBe(1);

  await page.goto('/agents');
  const alerts = page.getByRole('list', { name: 'Alerts' });
  await expect(alerts).toContainText('Probing agent was refused');
  await alerts.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(page.getByRole('list', { name: 'Alerts' })).toHaveCount(0);
  const { rows } = await testDb().query('SELECT acknowledged_at IS NOT NULL AS done FROM alerts WHERE agent_id = $1', [agent.agentId]);
  expect(rows).toEqual([{ done: true }]);
});

test('the Alerts page and the navigation badge update live; acknowledged alerts move to their tab', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('alerts-page'), password });
  const page = await signedInPage(browser, user.email);
  const agent = await delegatedToken(page.request, baseURL!, 'workflows:trigger', {}, { signedInAs: user, agentName: 'Night runner' });
  await setPolicy(agent, { actions: { 'workflows.trigger': 'allow' } });

  await page.goto('/alerts');
  await expect(page.getByRole('heading', { name: 'No open alerts' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' }).first();
  await expect(nav.getByLabel(/open alert/)).toHaveCount(0);

  // The agent's first high-risk call raises an alert while the page is open: no reload.
  expect((await request.post('/api/v1/workflows/wf_monthly_close/runs', { headers: agent.auth, data: { parameters: {} } })).status()).toBe(201);
  const open = page.getByRole('list', { name: 'Open alerts' });
  await expect(open.getByRole('listitem')).toHaveCount(1);
  await expect(open).toContainText('Night runner used its permission to “start workflow runs” for the first time (start a workflow)');
  await expect(nav.getByLabel('1 open alert')).toBeVisible();

  await open.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(page.getByRole('heading', { name: 'No open alerts' })).toBeVisible();
  await expect(nav.getByLabel(/open alert/)).toHaveCount(0);
  await page.getByRole('tab', { name: 'Acknowledged' }).click();
  await expect(page.getByRole('list', { name: 'Acknowledged alerts' })).toContainText('Night runner used its permission to “start workflow runs”');
});

test('a dashboard page opens one live connection, shared by the page and the navigation badge', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('one-stream'), password });
  const page = await signedInPage(browser, user.email);
  // Count the EventSource objects the page makes (a request count would also see reconnects).
  await page.addInitScript(() => {
    const Original = window.EventSource;
    (window as unknown as { liveStreams: number }).liveStreams = 0;
    window.EventSource = class extends Original {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        (window as unknown as { liveStreams: number }).liveStreams++;
      }
    } as typeof EventSource;
  });
  await page.goto('/tokens');
  // Browsers allow six HTTP/1.1 connections per origin: one stream per component would block the
  // third open dashboard tab.
  await expect(page.getByRole('status', { name: 'Live updates: Live' })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { liveStreams: number }).liveStreams)).toBe(1);
});
