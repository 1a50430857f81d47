// @see 4fec91b (Foundation): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { testDb } from '../support/db';
import { createAccount, DEMO, sameOrigin, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';

// The e2e server runs with LEASH_SIGNIN_ACCOUNT_LIMIT=5 and LEASH_SIGNIN_IP_LIMIT=8 (playwright.config.ts).
const ACCOUNT_LIMIT = 5;
const IP_LIMIT = 8;
const password = 'a-long-enough-passphrase';

test.describe('sign-in (next-auth credentials)', () => {
  test('the demo account signs in; the session carries acr, amr and auth_time', async ({ request, baseURL }) => {
    const before = Math.floor(Date.now() / 1000) - 1;
    const result = await signInOverHttp(request, baseURL, DEMO, uniqueIp());
    expect(result).toEqual({ error: null, status: 200 });
    const session = await (await request.get('/api/auth/session')).json();
    // On an http://localhost issuer the demo account is the administrator (README "Demo account").
    expect(session.user).toEqual({ id: expect.any(String), email: DEMO.email, name: 'Demo User', role: 'ADMIN' });
    expect(session.acr).toBe('urn:leash:acr:pwd');
    expect(session.amr).toEqual(['pwd']);
    expect(session.authTime).toBeGreaterThanOrEqual(before);
    const { rows } = await testDb().query('SELECT last_sign_in_at FROM users WHERE email = $1', [DEMO.email]);
    expect(rows[0].last_sign_in_at).not.toBeNull();
  });

  test('a wrong password and an unknown account get the same generic answer', async ({ request, baseURL }) => {
    const ip = uniqueIp();
    const user = await createAccount(request, baseURL, { email: uniqueEmail('generic'), password });
    const wrongPassword = await signInOverHttp(request, baseURL, { email: user.email, password: 'not-the-password' }, ip);
    const unknown = await signInOverHttp(request, baseURL, { email: uniqueEmail('nobody'), password }, ip);
    expect(wrongPassword).toEqual({ error: 'CredentialsSignin', status: 401 });
    expect(unknown).toEqual(wrongPassword);
    expect(await (await request.get('/api/auth/session')).json()).toEqual({});
  });

  test(`an account is locked after ${ACCOUNT_LIMIT} failures, from any IP, even with the right password`, async ({ request, baseURL }) => {
    const user = await createAccount(request, baseURL, { email: uniqueEmail('lock'), password });
    for (let i = 0; i < ACCOUNT_LIMIT; i++) {
      const r = await signInOverHttp(request, baseURL, { email: user.email, password: `wrong-${i}` }, uniqueIp());
      expect(r.error).toBe('CredentialsSignin');
    }
    const locked = await signInOverHttp(request, baseURL, user, uniqueIp());
    expect(locked.error).toMatch(/^RateLimited:\d+$/);
    const seconds = Number(locked.error!.split(':')[1]);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(900);
    expect(await (await request.get('/api/auth/session')).json()).toEqual({});
    const { rows } = await testDb().query('SELECT points FROM rate_limits WHERE key = $1', [`signin:account:${user.email}`]);
    expect(rows[0].points).toBe(ACCOUNT_LIMIT);
  });

  test(`an IP is blocked after ${IP_LIMIT} failures across accounts`, async ({ request, baseURL }) => {
    const ip = uniqueIp();
    const victim = await createAccount(request, baseURL, { email: uniqueEmail('ip-victim'), password });
    for (let i = 0; i < IP_LIMIT; i++) {
      const r = await signInOverHttp(request, baseURL, { email: uniqueEmail('spray'), password }, ip);
      expect(r.error).toBe('CredentialsSignin');
    }
    expect((await signInOverHttp(request, baseURL, victim, ip)).error).toMatch(/^RateLimited:\d+$/);
    // The same account from another address is unaffected: the limit was the IP's.
    expect((await signInOverHttp(request, baseURL, victim, uniqueIp())).error).toBeNull();
  });

  test("a successful sign-in clears the account's failure count", async ({ request, baseURL }) => {
    const user = await createAccount(request, baseURL, { email: uniqueEmail('reset'), password });
    for (let i = 0; i < ACCOUNT_LIMIT - 1; i++) {
      await signInOverHttp(request, baseURL, { email: user.email, password: 'wrong-password' }, uniqueIp());
    }
    expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
    const { rows } = await testDb().query('SELECT points FROM rate_limits WHERE key = $1', [`signin:account:${user.email}`]);
    expect(rows).toHaveLength(0);
  });

  test('a sign-in opens a server-side session with its context', async ({ request, baseURL }) => {
    const user = await createAccount(request, baseURL, { email: uniqueEmail('session'), password });
    const ip = uniqueIp();
    expect((await signInOverHttp(request, baseURL, user, ip)).error).toBeNull();
    const session = await (await request.get('/api/auth/session')).json();
    const { rows } = await testDb().query(
      `SELECT s.id, s.ip, s.acr, s.amr, s.revoked_at, round(extract(epoch FROM s.expires_at - s.created_at))::int AS lifetime
         FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1`,
      [user.email],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: session.sessionId, ip, acr: 'urn:leash:acr:pwd', amr: ['pwd'], revoked_at: null });
    expect(rows[0].lifetime).toBe(8 * 3600);
  });

  test('sign-out ends the session on the server: a copied cookie no longer works', async ({ playwright, request, baseURL }) => {
    const user = await createAccount(request, baseURL, { email: uniqueEmail('out'), password });
    expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
    const stolen = await request.storageState();
    expect(stolen.cookies.some((c) => c.name === 'next-auth.session-token')).toBe(true);

    const { csrfToken } = await (await request.get('/api/auth/csrf')).json();
    const response = await request.post('/api/auth/signout', { headers: sameOrigin(baseURL), form: { csrfToken, json: 'true' } });
    expect(response.status()).toBe(200);
    expect(await (await request.get('/api/auth/session')).json()).toEqual({});

    const { rows } = await testDb().query('SELECT s.revoked_at FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1', [user.email]);
    expect(rows[0].revoked_at).not.toBeNull();

    // The attacker's copy of the cookie: next-auth sees no session, and pages send it to sign-in.
    const attacker = await playwright.request.newContext({ baseURL, storageState: stolen });
    expect(await (await attacker.get('/api/auth/session')).json()).toEqual({});
    const page = await attacker.get('/agents', { maxRedirects: 0 });
    expect(page.status()).toBe(307);
    expect(page.headers()['location']).toMatch(/\/sign-in\?callbackUrl=%2Fagents$/);
    await attacker.dispose();
  });
});
