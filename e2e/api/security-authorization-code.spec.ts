// Attacks on the authorization code flow, end to end (RFC 9700 §4): PKCE downgrade, a pushed
// request's challenge overridden on the front channel, replay of a code after its tokens rotated,
// open redirects through error responses, and forged consent decisions. Cases already covered
// elsewhere (code from another client or another redirect_uri, plain replay, unregistered
// redirect URIs, unknown clients, `iss` on success/deny/error) live in oauth-authorization-code.spec.ts.
// @see d817ed2 (Security suite): the commit whose behaviour these tests guard.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { testDb } from '../support/db';
import { createAccount, sameOrigin, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { AGENT_CALLBACK, authorizeOverHttp, authorizeUrl, exchangeCode, pkce, registerPublicAgent, type RegisteredClient } from '../support/oauth';

// One client address for this file's token requests (the per-IP limit is not shared with other files).
test.use({ extraHTTPHeaders: { 'X-Forwarded-For': uniqueIp() } });

const password = 'a-long-enough-passphrase';

async function signedIn(request: APIRequestContext, baseURL: string) {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('sec-code'), password });
  expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
  const { rows } = await testDb().query('SELECT id FROM users WHERE email = $1', [user.email]);
  return { ...user, id: rows[0].id as string };
}

function codeParams(client: RegisteredClient, challenge: string, extra: Record<string, string> = {}) {
  return {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: AGENT_CALLBACK,
    scope: 'datasets:read offline_access',
    state: 'st-sec',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

const liveTokens = async (userId: string) => (await testDb().query('SELECT count(*)::int AS n FROM tokens WHERE user_id = $1 AND revoked_at IS NULL', [userId])).rows[0].n as number;
const allTokens = async (userId: string) => (await testDb().query('SELECT count(*)::int AS n FROM tokens WHERE user_id = $1', [userId])).rows[0].n as number;

test.describe('PKCE downgrade (RFC 7636 §4.6, RFC 9700 §4.8.2)', () => {
  test('a code bound to an S256 challenge is refused without a verifier, and with the challenge itself as a "plain" verifier', async ({ request, baseURL }) => {
    const user = await signedIn(request, baseURL!);
    const client = await registerPublicAgent(request);
    const { verifier, challenge } = pkce();
    const code = (await authorizeOverHttp(request, baseURL!, codeParams(client, challenge))).searchParams.get('code')!;

    // No verifier at all: the request is malformed (OAuth 2.1 §4.1.3: code_verifier is REQUIRED).
    const none = await request.post('/oauth/token', {
      form: { grant_type: 'authorization_code', client_id: client.client_id, code, redirect_uri: AGENT_CALLBACK },
    });
    expect(none.status()).toBe(400);
    expect(await none.json()).toEqual({ error: 'invalid_request', error_description: 'code_verifier is required (PKCE).' });

    // The "plain" downgrade: the attacker saw the challenge and sends it as the verifier.
    const plain = await exchangeCode(request, client, code, challenge, { code_challenge_method: 'plain' });
    expect(plain.status()).toBe(400);
    expect(await plain.json()).toEqual({ error: 'invalid_grant', error_description: 'The code_verifier does not match the code_challenge.' });

    // The failed attempt burnt the code: even the right verifier gets nothing now, and nothing was issued.
    const late = await exchangeCode(request, client, code, verifier);
    expect(late.status()).toBe(400);
    expect((await late.json()).error).toBe('invalid_grant');
    expect(await allTokens(user.id)).toBe(0);
  });

  test('a pushed request keeps its own S256 challenge: a challenge added on the front channel is ignored (RFC 9126 §4)', async ({ request, baseURL }) => {
    const user = await signedIn(request, baseURL!);
    const client = await registerPublicAgent(request);
    const pushedPkce = pkce();
    const attackerPkce = pkce();
    const pushed = await request.post('/oauth/par', { form: codeParams(client, pushedPkce.challenge) });
    expect(pushed.status()).toBe(201);
    const { request_uri } = await pushed.json();
    // The attacker appends their own challenge (and a plain method) to the front-channel request.
    const back = await authorizeOverHttp(
      request,
      baseURL!,
      { client_id: client.client_id, request_uri, code_challenge: attackerPkce.challenge, code_challenge_method: 'plain' },
      { scopes: ['datasets:read', 'offline_access'] },
    );
    const code = back.searchParams.get('code')!;
    expect(code).toMatch(/^lsh_ac_/);
    const injected = await exchangeCode(request, client, code, attackerPkce.verifier);
    expect(injected.status()).toBe(400);
    expect((await injected.json()).error_description).toBe('The code_verifier does not match the code_challenge.');
    expect(await allTokens(user.id)).toBe(0);
    const { rows } = await testDb().query('SELECT code_challenge FROM authorization_requests WHERE agent_id = (SELECT id FROM agents WHERE client_id = $1)', [client.client_id]);
    expect(rows).toEqual([{ code_challenge: pushedPkce.challenge }]);
  });
});

test.describe('code replay (RFC 6749 §4.1.2, RFC 9700 §4.5)', () => {
  test('replaying a code after its refresh token rotated revokes the rotated tokens too, and the API refuses them', async ({ request, baseURL }) => {
    const user = await signedIn(request, baseURL!);
    const client = await registerPublicAgent(request);
    const { verifier, challenge } = pkce();
    const code = (await authorizeOverHttp(request, baseURL!, codeParams(client, challenge))).searchParams.get('code')!;
    const first = await (await exchangeCode(request, client, code, verifier)).json();
    const rotated = await request.post('/oauth/token', {
      form: { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: first.refresh_token },
    });
    expect(rotated.status()).toBe(200);
    const second = await rotated.json();
    // The first access token, the spent refresh token, and the rotated access and refresh tokens.
    expect(await liveTokens(user.id)).toBe(4);

    const replay = await exchangeCode(request, client, code, verifier);
    expect(replay.status()).toBe(400);
    expect((await replay.json()).error).toBe('invalid_grant');
    expect(await liveTokens(user.id)).toBe(0);
    const { rows } = await testDb().query('SELECT DISTINCT revoked_reason FROM tokens WHERE user_id = $1 AND revoked_reason IS NOT NULL', [user.id]);
    expect(rows).toEqual([{ revoked_reason: 'authorization code replayed' }]);
    for (const token of [first.access_token, second.access_token]) {
      const call = await request.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${token}` } });
      expect(call.status()).toBe(401);
      expect(call.headers()['www-authenticate']).toContain('error="invalid_token"');
    }
    const refresh = await request.post('/oauth/token', {
      form: { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: second.refresh_token },
    });
    expect((await refresh.json()).error).toBe('invalid_grant');
  });
});

test.describe('open redirect through error responses (RFC 6749 §4.1.2.1, RFC 9700 §4.11)', () => {
  // An invalid request whose redirect_uri is not registered must not be "answered" at that URI:
  // the redirect URI is checked before anything that would be redirected.
  const evil = 'https://evil.example/collect';
  const cases: [string, Record<string, string>][] = [
    ['an unsupported response_type', { response_type: 'token' }],
    ['no PKCE', { code_challenge: '' }],
    ['an unknown scope', { scope: 'admin' }],
    ['a repeated redirect_uri', {}],
    ['a javascript: redirect_uri', { redirect_uri: 'javascript:alert(document.domain)' }],
    ['a data: redirect_uri', { redirect_uri: 'data:text/html,<script>alert(1)</script>' }],
  ];
  for (const [name, change] of cases) {
    test(`${name} with an unregistered redirect_uri is an error page, never a redirect`, async ({ request, baseURL }) => {
      const client = await registerPublicAgent(request);
      const url = new URL(authorizeUrl(baseURL!, { ...codeParams(client, pkce().challenge), redirect_uri: evil, ...change }));
      if (name === 'a repeated redirect_uri') url.searchParams.append('redirect_uri', AGENT_CALLBACK);
      const response = await request.get(url.toString(), { maxRedirects: 0 });
      expect(response.status()).toBe(400);
      expect(response.headers()['location']).toBeUndefined();
      expect(response.headers()['content-type']).toBe('text/html; charset=utf-8');
      const html = await response.text();
      expect(html).not.toContain('evil.example');
      expect(html).not.toContain('<script>alert');
    });
  }

  test('a client with several redirect URIs must name one; a suspended client is never redirected to', async ({ request, baseURL }) => {
    const client = await registerPublicAgent(request, { redirect_uris: [AGENT_CALLBACK, 'https://agent.example/other'] });
    const params: Record<string, string> = codeParams(client, pkce().challenge);
    delete params.redirect_uri;
    const missing = await request.get(authorizeUrl(baseURL!, params), { maxRedirects: 0 });
    expect(missing.status()).toBe(400);
    expect(missing.headers()['location']).toBeUndefined();
    expect(await missing.text()).toContain('redirect_uri is required.');

    await testDb().query("UPDATE agents SET status = 'SUSPENDED' WHERE client_id = $1", [client.client_id]);
    const suspended = await request.get(authorizeUrl(baseURL!, codeParams(client, pkce().challenge, { response_type: 'token' })), { maxRedirects: 0 });
    expect(suspended.status()).toBe(400);
    expect(suspended.headers()['location']).toBeUndefined();
    expect(await suspended.text()).toContain('Application suspended');
    const { rows } = await testDb().query('SELECT count(*)::int AS n FROM authorization_requests WHERE agent_id = (SELECT id FROM agents WHERE client_id = $1)', [client.client_id]);
    expect(rows[0].n).toBe(0);
  });
});

test.describe('mix-up defence (RFC 9207 §2)', () => {
  test('a remembered consent answered without the screen still carries iss and state', async ({ request, baseURL }) => {
    await signedIn(request, baseURL!);
    const client = await registerPublicAgent(request);
    await authorizeOverHttp(request, baseURL!, codeParams(client, pkce().challenge), { remember: true });
    const again = await authorizeOverHttp(request, baseURL!, codeParams(client, pkce().challenge, { state: 'second' }));
    expect(`${again.origin}${again.pathname}`).toBe(AGENT_CALLBACK);
    expect([...again.searchParams.keys()].sort()).toEqual(['code', 'iss', 'state']);
    expect(again.searchParams.get('iss')).toBe(baseURL);
    expect(again.searchParams.get('state')).toBe('second');
    const metadata = await (await request.get('/.well-known/oauth-authorization-server')).json();
    expect(again.searchParams.get('iss')).toBe(metadata.issuer);
  });
});

test.describe('CSRF on the consent decision (RFC 6749 §10.12, RFC 9700 §4.7)', () => {
  async function pendingConsent(request: APIRequestContext, baseURL: string) {
    const user = await signedIn(request, baseURL);
    const client = await registerPublicAgent(request);
    const start = await request.get(authorizeUrl(baseURL, codeParams(client, pkce().challenge)), { maxRedirects: 0 });
    expect(start.status()).toBe(303);
    const path = new URL(start.headers()['location']!).pathname;
    const html = await (await request.get(path)).text();
    const token = /name="consent_token" value="([^"]+)"/.exec(html)![1]!;
    return { user, client, id: path.slice('/consent/'.length), token };
  }
  const allow = (token: string) => ({ decision: 'allow', scopes: ['datasets:read'], remember: true, consent_token: token });
  async function expectUndecided(id: string, userId: string) {
    const { rows } = await testDb().query('SELECT status, code_hash FROM authorization_requests WHERE id = $1', [id]);
    expect(rows).toEqual([{ status: 'PENDING', code_hash: null }]);
    const grants = await testDb().query('SELECT count(*)::int AS n FROM grants WHERE user_id = $1', [userId]);
    expect(grants.rows[0].n).toBe(0);
  }

  for (const [name, headers] of [
    ['a foreign Origin', { Origin: 'https://evil.example' }],
    ['a sibling port on the same host (same site, other origin)', { Origin: 'http://localhost:1' }],
    ['the "null" Origin of a sandboxed frame', { Origin: 'null' }],
    ['no Origin and Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['no Origin and Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site' }],
  ] as const) {
    test(`an Allow with the right consent token but ${name} is refused`, async ({ request, baseURL }) => {
      const { user, id, token } = await pendingConsent(request, baseURL!);
      const response = await request.post(`/api/consent/${id}`, { headers, data: allow(token) });
      expect(response.status()).toBe(403);
      expect(await response.json()).toEqual({ error: 'csrf_rejected', message: 'This request did not come from a Leash page and was refused.' });
      await expectUndecided(id, user.id);
    });
  }

  test('a same-origin Allow needs the consent token of the screen the user is looking at', async ({ request, baseURL }) => {
    const { user, id, token } = await pendingConsent(request, baseURL!);
    for (const forged of [undefined, '', 'x'.repeat(43)]) {
      const response = await request.post(`/api/consent/${id}`, { headers: sameOrigin(baseURL), data: { decision: 'allow', scopes: ['datasets:read'], consent_token: forged } });
      expect(response.status()).toBe(forged ? 403 : 400);
      expect((await response.json()).error).toBe(forged ? 'csrf_rejected' : 'invalid_request');
    }
    // Showing the screen again issues a new token: the old one no longer decides anything.
    await request.get(`/consent/${id}`);
    const stale = await request.post(`/api/consent/${id}`, { headers: sameOrigin(baseURL), data: allow(token) });
    expect(stale.status()).toBe(403);
    expect(await stale.json()).toEqual({ error: 'csrf_rejected', message: 'This consent screen is out of date. Reload it and decide again.' });
    await expectUndecided(id, user.id);
  });

  test('another signed-in user cannot answer a request opened by the victim, even with its consent token', async ({ request, baseURL, playwright }) => {
    const { user, id, token } = await pendingConsent(request, baseURL!);
    const attacker = await playwright.request.newContext({ baseURL });
    try {
      await signedIn(attacker, baseURL!);
      const response = await attacker.post(`/api/consent/${id}`, { headers: sameOrigin(baseURL), data: allow(token) });
      expect(response.status()).toBe(404);
      expect((await response.json()).error).toBe('not_found');
      // Opening the screen does not move the request to the attacker either.
      const page = await attacker.get(`/consent/${id}`);
      expect(await page.text()).toContain('This request is no longer valid');
      const { rows } = await testDb().query('SELECT user_id FROM authorization_requests WHERE id = $1', [id]);
      expect(rows[0].user_id).toBe(user.id);
      await expectUndecided(id, user.id);
    } finally {
      await attacker.dispose();
    }
  });
});
