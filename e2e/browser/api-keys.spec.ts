// The agent page's API keys section (issue 15 §4, docs/api-keys.md) in Chromium: the nudge toward
// OAuth and the empty state; making a key (the form's field errors, then the key shown once with a
// copy button and a warning); the list with its expiry countdown and last use; one-click rotation
// and revocation, each confirmed first. Screenshots of the section at 1280 px and 390 px, light and
// dark, land in .leash-test/screenshots/.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { createAccount, TEST_PASSWORD, uniqueEmail, signedInPage, uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken } from '../support/delegation';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const API_KEY = 'urn:leash:params:oauth:token-type:api-key';

/** The section as the page lays it out (a full-page picture cut to it: the sticky bars stay where they belong). */
async function shoot(page: Page, section: Locator, name: string) {
  // From the top: the full-page picture then draws the fixed header at the top and the phone's tab bar at the bottom, not over the section.
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = (await section.boundingBox())!;
  await page.screenshot({ path: `.leash-test/screenshots/${name}.png`, fullPage: true, clip: box });
}

async function exchange(page: Page, key: string) {
  return page.request.post('/oauth/token', { headers: { 'X-Forwarded-For': uniqueIp() }, form: { grant_type: TOKEN_EXCHANGE, subject_token: key, subject_token_type: API_KEY } });
}

test('make a key, see it once, watch its countdown and last use, rotate and revoke it with confirmation', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('apikeys'), password: TEST_PASSWORD });
  const page = await signedInPage(browser, user.email);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const agent = await delegatedToken(page.request, baseURL!, 'datasets:read reports:read', {}, { signedInAs: user, agentName: 'Legacy sync bot' });
  await page.goto(`/agents/${agent.agentId}`);

  const section = page.getByRole('region', { name: 'API keys' });
  await expect(section.getByText('OAuth is safer')).toBeVisible();
  await expect(section.getByRole('link', { name: 'How to connect it with OAuth' })).toHaveAttribute('href', '/connect');
  await expect(section.getByText('No API key for Legacy sync bot')).toBeVisible();

  // The form: an expiry over 90 days is refused by the server at its field (the browser's own
  // check is bypassed by typing into a number field with novalidate semantics: remove the max).
  await section.getByRole('button', { name: 'New API key' }).click();
  const form = section.getByRole('form', { name: 'New API key' });
  await form.getByLabel('Name').fill('Nightly sync');
  await form.getByLabel('Expires in (days)').evaluate((el) => el.removeAttribute('max'));
  await form.getByLabel('Expires in (days)').fill('120');
  await form.getByRole('button', { name: 'Make the key' }).click();
  await expect(form.getByText(/At most 90 days/).first()).toBeVisible();
  const { rows: none } = await testDb().query('SELECT count(*)::int AS n FROM api_keys WHERE agent_id = $1', [agent.agentId]);
  expect(none[0].n).toBe(0);

  await form.getByLabel('Expires in (days)').fill('12');
  await form.getByLabel('Address ranges').fill('0.0.0.0/0\n::/0');
  await form.getByRole('button', { name: 'Make the key' }).click();
  const shown = section.getByRole('region', { name: 'New API key' });
  await expect(shown.getByText('This is the only time the key is shown.')).toBeVisible();
  const key = await shown.getByLabel('API key').inputValue();
  expect(key).toMatch(/^lsh_ak_[0-9A-Za-z]{49}$/);
  await shoot(page, section, 'api-keys-shown-desktop-light');
  await shown.getByRole('button', { name: 'Copy' }).click();
  await expect(shown.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

  // The list: never the key again, its start, status, countdown, ranges, never used.
  const item = section.getByRole('listitem', { name: 'Nightly sync' });
  await expect(item.getByText('Active')).toBeVisible();
  await expect(item.getByText(key.slice(0, 11) + '…')).toBeVisible();
  await expect(item.getByText(/Expires in 12 days · never used/)).toBeVisible();
  await expect(item.getByText('Only from 0.0.0.0/0, ::/0')).toBeVisible();
  await shown.getByRole('button', { name: 'I have stored it' }).click();
  await expect(section.getByRole('region', { name: 'New API key' })).toHaveCount(0);
  await expect(page.getByText(key)).toHaveCount(0);

  // The agent uses it; after a reload the list says when and from where.
  const used = await exchange(page, key);
  expect(used.status(), await used.text()).toBe(200);
  await page.reload();
  await expect(item.getByText(/last used just now from 10\./)).toBeVisible();

  // Rotate: asks first; Cancel changes nothing; confirming shows the new key once.
  await item.getByRole('button', { name: 'Rotate' }).click();
  await expect(item.getByText(/Replace “Nightly sync” with a new key\?/)).toBeVisible();
  await item.getByRole('button', { name: 'Cancel' }).click();
  expect((await exchange(page, key)).status()).toBe(200);
  await item.getByRole('button', { name: 'Rotate' }).click();
  await item.getByRole('button', { name: 'Rotate the key' }).click();
  const rotated = section.getByRole('region', { name: 'New API key' });
  await expect(rotated.getByText('New key for “Nightly sync”: the old one no longer works')).toBeVisible();
  const newKey = await rotated.getByLabel('API key').inputValue();
  expect(newKey).toMatch(/^lsh_ak_/);
  expect(newKey).not.toBe(key);
  expect((await exchange(page, key)).status()).toBe(400);
  expect((await exchange(page, newKey)).status()).toBe(200);
  await rotated.getByRole('button', { name: 'I have stored it' }).click();
  const items = section.getByRole('listitem', { name: 'Nightly sync' });
  await expect(items).toHaveCount(2);
  await expect(items.nth(1).getByText('Revoked', { exact: true })).toBeVisible();
  await expect(items.nth(1).getByText(/rotated: replaced by a new key/)).toBeVisible();

  // Revoke the new one: asks first, then it is revoked and the agent's exchange is refused.
  const current = items.first();
  await current.getByRole('button', { name: 'Revoke' }).click();
  await expect(current.getByText(/Revoke “Nightly sync”\?/)).toBeVisible();
  await current.getByRole('button', { name: 'Revoke the key' }).click();
  await expect(current.getByText('Revoked', { exact: true })).toBeVisible();
  await expect(section.getByRole('button', { name: 'Rotate' })).toHaveCount(0);
  const refused = await exchange(page, newKey);
  expect(refused.status()).toBe(400);
  expect((await refused.json()).error).toBe('invalid_grant');
  const { rows } = await testDb().query("SELECT action FROM audit_events WHERE user_id = $1 AND action LIKE 'api_key.%' ORDER BY id", [agent.userId]);
  expect(rows.map((r) => r.action)).toEqual(['api_key.create', 'api_key.rotate', 'api_key.revoke']);
  await page.context().close();
});

for (const colorScheme of ['light', 'dark'] as const) {
  for (const size of [
    { name: 'desktop', width: 1280, height: 900 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    test(`the section fits ${size.name} width (${size.width} px) in ${colorScheme}`, async ({ browser, request, baseURL }) => {
      const user = await createAccount(request, baseURL, { email: uniqueEmail('apikeys-shot'), password: TEST_PASSWORD });
      const signedIn = await signedInPage(browser, user.email);
      const agent = await delegatedToken(signedIn.request, baseURL!, 'datasets:read reports:read', {}, { signedInAs: user, agentName: 'Legacy sync bot' });
      const storageState = await signedIn.context().storageState();
      await signedIn.context().close();
      const context = await browser.newContext({ baseURL, storageState, viewport: size, colorScheme, extraHTTPHeaders: { 'X-Forwarded-For': uniqueIp() } });
      const page = await context.newPage();
      // Two keys (one with ranges and a last use), and one revoked, made through the JSON API.
      for (const body of [
        { name: 'Zapier connector', scopes: ['datasets:read', 'reports:read'], expiresInDays: 12, ipRanges: ['203.0.113.0/24', '2001:db8::/32'] },
        { name: 'Nightly sync', scopes: ['datasets:read'], expiresInDays: 90 },
        { name: 'Old cron job', scopes: ['reports:read'], expiresInDays: 30 },
      ]) {
        const made = await page.request.post(`/api/account/agents/${agent.agentId}/api-keys`, { headers: { Origin: new URL(baseURL!).origin }, data: body });
        expect(made.status(), await made.text()).toBe(201);
        if (body.name === 'Old cron job') await page.request.post(`/api/account/api-keys/${(await made.json()).apiKey.id}/revoke`, { headers: { Origin: new URL(baseURL!).origin } });
        if (body.name === 'Nightly sync') await exchange(page, (await made.json()).key);
      }
      await page.goto(`/agents/${agent.agentId}`);
      const section = page.getByRole('region', { name: 'API keys' });
      await expect(section.getByRole('listitem')).toHaveCount(3);
      await section.getByRole('button', { name: 'New API key' }).click();
      await expect(section.getByRole('form', { name: 'New API key' })).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `the agent page at ${size.name} is wider than the screen`).toBeLessThanOrEqual(0);
      await shoot(page, section, `api-keys-${size.name}-${colorScheme}`);
      await context.close();
    });
  }
}
