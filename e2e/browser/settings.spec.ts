// Settings in Chromium: the intent privacy setting changes what the audit log keeps on the agent's
// next call (full text for a retention period), bad values are refused and change nothing.
// @see bf54b70 (Settings): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { createAccount, signInInBrowser, uniqueEmail, uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken } from '../support/delegation';

const password = 'a-long-enough-passphrase';

test('keeping full intents for 7 days applies to the next call, and shows in the audit drawer', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('privacy'), password });
  const context = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': uniqueIp() } });
  const page = await context.newPage();
  await signInInBrowser(page, user.email, password);
  const agent = await delegatedToken(page.request, baseURL!, 'datasets:read', {}, { signedInAs: user, agentName: 'Intent agent' });

  await page.goto('/settings');
  const form = page.getByRole('form', { name: 'Privacy and time zone' });
  await form.getByLabel('Keep the full text for a while').check();
  await form.getByLabel('Keep full text for (days)').fill('0');
  await form.getByRole('button', { name: 'Save settings' }).click();
  // The browser refuses it first; the server refuses it too when asked directly.
  expect(await form.getByLabel('Keep full text for (days)').evaluate((el: HTMLInputElement) => el.validity.valid)).toBe(false);
  const direct = await page.request.post('/api/account/settings', {
    headers: { Origin: new URL(baseURL!).origin },
    data: { timeZone: 'UTC', intentStorage: 'FULL', intentRetentionDays: 0 },
  });
  expect(direct.status()).toBe(400);
  expect((await direct.json()).field_errors).toEqual({ intentRetentionDays: ['At least 1 day.'] });
  const unchanged = await testDb().query('SELECT intent_storage FROM users WHERE email = $1', [user.email]);
  expect(unchanged.rows[0].intent_storage).toBe('HASHED');

  await form.getByLabel('Keep full text for (days)').fill('7');
  await form.getByRole('button', { name: 'Save settings' }).click();
  await expect(form.getByText('Saved.')).toBeVisible();
  const intent = 'Summarise EMEA sales for the Monday board pack';
  const call = await page.request.get('/api/v1/datasets', { headers: { ...agent.auth, 'Agent-Intent': intent } });
  expect(call.status()).toBe(200);
  const { rows } = await testDb().query('SELECT t.text FROM audit_events e JOIN audit_intent_texts t ON t.event_id = e.id WHERE e.request_id = $1', [call.headers()['x-request-id']]);
  expect(rows).toEqual([{ text: intent }]);

  await page.goto('/audit');
  await page.getByRole('list', { name: 'Audit events' }).getByRole('button').filter({ hasText: 'List datasets' }).first().click(); // actions in words (lib/words/plain-words.ts)
  await expect(page.getByRole('dialog')).toContainText(intent);
});
