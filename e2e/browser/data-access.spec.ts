// Authorization is checked where data is read: a page shows only the signed-in user's data, and a
// session cookie alone (which is all proxy.ts looks at) is not enough once the account is suspended.
// @see 4fec91b (Foundation): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { testDb } from '../support/db';
import { createAccount, fillSignIn, signInInBrowser, uniqueEmail, uniqueIp } from '../support/accounts';

const password = 'a-long-enough-passphrase';

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
});

async function connectAgent(userId: string, name: string) {
  const db = testDb();
  const { rows } = await db.query(
    `INSERT INTO agents (id, client_id, name, registration, redirect_uris, grant_types, updated_at)
     VALUES (gen_random_uuid(), $1, $2, 'DCR', '{}', '{authorization_code}', now()) RETURNING id`,
    [`client-${name}-${Date.now()}`, name],
  );
  await db.query(
    `INSERT INTO grants (id, user_id, agent_id, scopes, resources, updated_at)
     VALUES (gen_random_uuid(), $1, $2, '{datasets:read,reports:read}', '{}', now())`,
    [userId, rows[0].id],
  );
}

async function userId(email: string): Promise<string> {
  const { rows } = await testDb().query('SELECT id FROM users WHERE email = $1', [email]);
  return rows[0].id;
}

test("a user sees their own agents and never another user's", async ({ page, request, baseURL }) => {
  const alice = await createAccount(request, baseURL, { email: uniqueEmail('alice'), password });
  const bob = await createAccount(request, baseURL, { email: uniqueEmail('bob'), password });
  await connectAgent(await userId(alice.email), 'Alice Research Bot');
  await connectAgent(await userId(bob.email), 'Bob Payment Bot');

  await page.goto('/sign-in?callbackUrl=/agents');
  await fillSignIn(page, alice.email, password);
  const list = page.getByRole('list', { name: 'Connected agents' });
  await expect(list).toBeVisible();
  await expect(list.getByText('Alice Research Bot')).toBeVisible();
  await expect(list.getByText('List and query your datasets, Read your reports')).toBeVisible();
  await expect(page.getByText('Bob Payment Bot')).toHaveCount(0);
});

test('a suspended account is signed out by the page itself, even with a valid session cookie', async ({ page, request, baseURL }) => {
  const carol = await createAccount(request, baseURL, { email: uniqueEmail('carol'), password });
  await signInInBrowser(page, carol.email, password);

  await testDb().query("UPDATE users SET status = 'SUSPENDED' WHERE email = $1", [carol.email]);
  const cookies = await page.context().cookies();
  expect(cookies.some((c) => c.name.endsWith('next-auth.session-token'))).toBe(true);
  await page.goto('/audit');
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Faudit$/);
});
