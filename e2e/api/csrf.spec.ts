// @see 4fec91b (Foundation): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { countUsers, testDb } from '../support/db';
import { createAccount, DEMO, sameOrigin, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';

const account = { password: 'a-long-enough-passphrase' };

test.describe('CSRF protection of state-changing browser routes', () => {
  for (const [name, headers] of [
    ['a foreign Origin', { Origin: 'https://evil.example' }],
    ['no Origin and no Fetch Metadata', {}],
    ['a cross-site Sec-Fetch-Site without Origin', { 'Sec-Fetch-Site': 'cross-site' }],
    ['the "null" Origin of a sandboxed page', { Origin: 'null' }],
  ] as const) {
    test(`sign-up with ${name} is refused and creates nothing`, async ({ request }) => {
      const email = uniqueEmail('csrf');
      const response = await request.post('/api/account/sign-up', { data: { ...account, email }, headers });
      expect(response.status()).toBe(403);
      expect(await response.json()).toEqual({
        error: 'csrf_rejected',
        message: 'This request did not come from a Leash page and was refused.',
      });
      expect(await countUsers(email)).toBe(0);
    });
  }

  test('a same-origin request without Origin but with Sec-Fetch-Site: same-origin passes', async ({ request }) => {
    const email = uniqueEmail('fetch-metadata');
    const response = await request.post('/api/account/sign-up', {
      data: { ...account, email },
      headers: { 'Sec-Fetch-Site': 'same-origin', 'X-Forwarded-For': uniqueIp() },
    });
    expect(response.status()).toBe(201);
  });

  test('a cross-site sign-in post is refused before next-auth sees it (login CSRF)', async ({ request }) => {
    const ip = uniqueIp();
    const before = await testDb().query("SELECT count(*)::int AS n FROM rate_limits WHERE key LIKE 'signin:ip:%' || $1", [ip]);
    const response = await request.post('/api/auth/callback/credentials', {
      headers: { Origin: 'https://evil.example', 'X-Forwarded-For': ip },
      form: { email: DEMO.email, password: DEMO.password, json: 'true' },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(403);
    expect(response.headers()['set-cookie'] ?? '').not.toContain('session-token');
    const after = await testDb().query("SELECT count(*)::int AS n FROM rate_limits WHERE key LIKE 'signin:ip:%' || $1", [ip]);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  test("a same-origin sign-in post without next-auth's CSRF token does not sign in", async ({ request, baseURL }) => {
    const response = await request.post('/api/auth/callback/credentials', {
      headers: sameOrigin(baseURL),
      form: { email: DEMO.email, password: DEMO.password, json: 'true' },
      maxRedirects: 0,
    });
    expect(response.headers()['set-cookie'] ?? '').not.toContain('session-token');
    const session = await request.get('/api/auth/session');
    expect(await session.json()).toEqual({});
  });

  test('a cross-site sign-out is refused and the session survives', async ({ request, baseURL }) => {
    const user = await createAccount(request, baseURL, { email: uniqueEmail('signout'), ...account });
    expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
    const { csrfToken } = await (await request.get('/api/auth/csrf')).json();
    const response = await request.post('/api/auth/signout', {
      headers: { Origin: 'https://evil.example' },
      form: { csrfToken, json: 'true' },
    });
    expect(response.status()).toBe(403);
    const session = await (await request.get('/api/auth/session')).json();
    expect(session.user.email).toBe(user.email);
  });
});
