// @see 4fec91b (Foundation): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { countUsers, testDb } from '../support/db';
import { sameOrigin, uniqueEmail, uniqueIp } from '../support/accounts';

test.describe('POST /api/account/sign-up', () => {
  test('creates the account with an argon2id hash and a normalised email', async ({ request, baseURL }) => {
    const email = uniqueEmail('Sign-Up');
    const response = await request.post('/api/account/sign-up', {
      data: { name: '  Ada  ', email: `  ${email.toUpperCase()} `, password: 'a-long-enough-passphrase' },
      headers: { ...sameOrigin(baseURL), 'X-Forwarded-For': uniqueIp() },
    });
    expect(response.status()).toBe(201);
    expect(response.headers()['cache-control']).toBe('no-store');
    const body = await response.json();
    expect(body).toEqual({ id: expect.any(String), email: email.toLowerCase() });
    const { rows } = await testDb().query('SELECT email, name, password_hash, role, status FROM users WHERE id = $1', [body.id]);
    expect(rows[0]).toMatchObject({ email: email.toLowerCase(), name: 'Ada', role: 'USER', status: 'ACTIVE' });
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  test('refuses a duplicate email, whatever its case, and keeps one account', async ({ request, baseURL }) => {
    const email = uniqueEmail('dup');
    const first = await request.post('/api/account/sign-up', {
      data: { email, password: 'a-long-enough-passphrase' },
      headers: { ...sameOrigin(baseURL), 'X-Forwarded-For': uniqueIp() },
    });
    expect(first.status()).toBe(201);
    const second = await request.post('/api/account/sign-up', {
      data: { email: email.toUpperCase(), password: 'another-long-passphrase' },
      headers: { ...sameOrigin(baseURL), 'X-Forwarded-For': uniqueIp() },
    });
    expect(second.status()).toBe(409);
    expect(await second.json()).toEqual({
      error: 'conflict',
      message: 'An account with this email already exists. Sign in instead.',
      field_errors: { email: ['An account with this email already exists.'] },
    });
    expect(await countUsers(email)).toBe(1);
  });

  test('rejects invalid fields with per-field messages and creates nothing', async ({ request, baseURL }) => {
    const response = await request.post('/api/account/sign-up', {
      data: { email: 'not-an-email', password: 'short' },
      headers: { ...sameOrigin(baseURL), 'X-Forwarded-For': uniqueIp() },
    });
    expect(response.status()).toBe(400);
    const body = await response.json();
    expect(body.error).toBe('invalid_request');
    expect(body.field_errors.email).toEqual(['Enter a valid email address']);
    expect(body.field_errors.password).toEqual(['Use at least 12 characters']);
    expect(await countUsers('not-an-email')).toBe(0);
  });

  test('accepts only application/json', async ({ request, baseURL }) => {
    const email = uniqueEmail('form');
    const response = await request.post('/api/account/sign-up', {
      form: { email, password: 'a-long-enough-passphrase' },
      headers: { ...sameOrigin(baseURL), 'X-Forwarded-For': uniqueIp() },
    });
    expect(response.status()).toBe(415);
    expect((await response.json()).error).toBe('unsupported_media_type');
    expect(await countUsers(email)).toBe(0);
  });

  test('rejects a body that is not JSON, or not a JSON object', async ({ request, baseURL }) => {
    const headers = { ...sameOrigin(baseURL), 'Content-Type': 'application/json', 'X-Forwarded-For': uniqueIp() };
    const broken = await request.post('/api/account/sign-up', { data: Buffer.from('{"email": '), headers });
    expect(broken.status()).toBe(400);
    expect(await broken.json()).toEqual({ error: 'invalid_request', message: 'The request body is not valid JSON.' });
    const array = await request.post('/api/account/sign-up', { data: Buffer.from('["a"]'), headers });
    expect(array.status()).toBe(400);
    expect(await array.json()).toEqual({ error: 'invalid_request', message: 'The request body must be a JSON object.' });
  });

  // The e2e server allows LEASH_SIGNUP_IP_LIMIT=3 sign-up attempts per IP per hour.
  test('limits sign-up attempts per client IP with 429 and Retry-After', async ({ request, baseURL }) => {
    const headers = { ...sameOrigin(baseURL), 'X-Forwarded-For': uniqueIp() };
    for (let i = 0; i < 3; i++) {
      const ok = await request.post('/api/account/sign-up', { data: { email: uniqueEmail('burst'), password: 'a-long-enough-passphrase' }, headers });
      expect(ok.status()).toBe(201);
    }
    const email = uniqueEmail('burst');
    const refused = await request.post('/api/account/sign-up', { data: { email, password: 'a-long-enough-passphrase' }, headers });
    expect(refused.status()).toBe(429);
    expect(Number(refused.headers()['retry-after'])).toBeGreaterThan(3500);
    expect(await refused.json()).toEqual({ error: 'rate_limited', message: 'Too many sign-ups from your network. Try again later.' });
    expect(await countUsers(email)).toBe(0);
    // Another address is not affected.
    const other = await request.post('/api/account/sign-up', {
      data: { email, password: 'a-long-enough-passphrase' },
      headers: { ...headers, 'X-Forwarded-For': uniqueIp() },
    });
    expect(other.status()).toBe(201);
  });
});
