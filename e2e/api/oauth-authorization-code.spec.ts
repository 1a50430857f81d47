// @see 6cb1a23 (Authorization code flow): the commit whose behaviour these tests guard.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { testDb } from '../support/db';
import { createAccount, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { AGENT_CALLBACK, authorizeOverHttp, authorizeUrl, exchangeCode, expectNoStore, pkce, registerPublicAgent, type RegisteredClient } from '../support/oauth';

const password = 'a-long-enough-passphrase';

async function signedIn(request: APIRequestContext, baseURL: string) {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('oauth-user'), password });
  expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
  const { rows } = await testDb().query('SELECT id FROM users WHERE email = $1', [user.email]);
  return { ...user, id: rows[0].id as string };
}

function codeParams(client: RegisteredClient, challenge: string, extra: Record<string, string> = {}) {
  return {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: AGENT_CALLBACK,
    scope: 'datasets:read reports:read offline_access',
    state: 'st-123',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

test.describe('authorization code + PKCE (RFC 6749 §4.1, RFC 7636, RFC 9207)', () => {
  test('consent yields a code with state and iss; the code yields user tokens carrying acr/amr/auth_time', async ({ request, baseURL }) => {
    const user = await signedIn(request, baseURL!);
    const client = await registerPublicAgent(request);
    const { verifier, challenge } = pkce();
    const back = await authorizeOverHttp(request, baseURL!, codeParams(client, challenge));
    expect(`${back.origin}${back.pathname}`).toBe(AGENT_CALLBACK);
    expect(back.searchParams.get('state')).toBe('st-123');
    expect(back.searchParams.get('iss')).toBe(baseURL);
    const code = back.searchParams.get('code')!;
    expect(code).toMatch(/^lsh_ac_/);

    const response = await exchangeCode(request, client, code, verifier);
    expect(response.status()).toBe(200);
    expectNoStore(response.headers());
    const tokens = await response.json();
    expect(tokens).toEqual({
      access_token: expect.stringMatching(/^lsh_at_/),
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'datasets:read offline_access reports:read',
      refresh_token: expect.stringMatching(/^lsh_rt_/),
    });
    const { rows } = await testDb().query('SELECT kind, user_id, acr, amr, auth_time IS NOT NULL AS has_auth_time FROM tokens WHERE user_id = $1 ORDER BY kind', [user.id]);
    expect(rows).toEqual([
      { kind: 'ACCESS', user_id: user.id, acr: 'urn:leash:acr:pwd', amr: ['pwd'], has_auth_time: true },
      { kind: 'REFRESH', user_id: user.id, acr: 'urn:leash:acr:pwd', amr: ['pwd'], has_auth_time: true },
    ]);
    const audit = await testDb().query('SELECT action FROM audit_events WHERE user_id = $1 ORDER BY id', [user.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['consent.grant', 'token.issue', 'token.issue']);
  });

  test('a client registered for refresh gets offline_access on its consent screen without asking (MCP SDK 1.x never asks); the person may untick it', async ({ request, baseURL }) => {
    await signedIn(request, baseURL!);
    const client = await registerPublicAgent(request);
    // Kept on the consent screen: a refresh token, and `scope` says offline_access (RFC 6749 §3.3).
    const kept = pkce();
    const start = await request.get(authorizeUrl(baseURL!, codeParams(client, kept.challenge, { scope: 'reports:read' })), { maxRedirects: 0 });
    const consent = await (await request.get(new URL(start.headers()['location']!).pathname)).text();
    expect(consent).toContain('Stay connected when you are away');
    expect(consent).toMatch(/10(<!-- -->)? minutes at a time(<!-- -->)?, renewable for up to 30 days/);
    const back = await authorizeOverHttp(request, baseURL!, codeParams(client, kept.challenge, { scope: 'reports:read' }), { scopes: ['reports:read', 'offline_access'] });
    const tokens = await (await exchangeCode(request, client, back.searchParams.get('code')!, kept.verifier)).json();
    expect(tokens.scope).toBe('offline_access reports:read');
    expect(tokens.refresh_token).toMatch(/^lsh_rt_/);
    // Unticked: no refresh token.
    const unticked = pkce();
    const back2 = await authorizeOverHttp(request, baseURL!, codeParams(client, unticked.challenge, { scope: 'reports:read' }), { scopes: ['reports:read'] });
    const tokens2 = await (await exchangeCode(request, client, back2.searchParams.get('code')!, unticked.verifier)).json();
    expect(tokens2.refresh_token).toBeUndefined();
    expect(tokens2.scope).toBe('reports:read');
  });

  test('a client not registered for the refresh_token grant gets no offline_access and no refresh token', async ({ request, baseURL }) => {
    await signedIn(request, baseURL!);
    const client = await registerPublicAgent(request, { grant_types: ['authorization_code'] });
    const { verifier, challenge } = pkce();
    const start = await request.get(authorizeUrl(baseURL!, codeParams(client, challenge, { scope: 'reports:read' })), { maxRedirects: 0 });
    const consent = await (await request.get(new URL(start.headers()['location']!).pathname)).text();
    expect(consent).not.toContain('Stay connected when you are away');
    expect(consent).toContain('not renewable');
    const back = await authorizeOverHttp(request, baseURL!, codeParams(client, challenge, { scope: 'reports:read' }));
    const tokens = await (await exchangeCode(request, client, back.searchParams.get('code')!, verifier)).json();
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope).toBe('reports:read');
  });

  test('Deny sends access_denied back with state and iss', async ({ request, baseURL }) => {
    await signedIn(request, baseURL!);
    const client = await registerPublicAgent(request);
    const back = await authorizeOverHttp(request, baseURL!, codeParams(client, pkce().challenge), { decision: 'deny' });
    expect(Object.fromEntries(back.searchParams)).toEqual({
      error: 'access_denied',
      error_description: 'The user denied the request.',
      state: 'st-123',
      iss: baseURL,
    });
  });

  test('a wrong code_verifier is invalid_grant and burns the code', async ({ request, baseURL }) => {
    await signedIn(request, baseURL!);
    const client = await registerPublicAgent(request);
    const { verifier, challenge } = pkce();
    const code = (await authorizeOverHttp(request, baseURL!, codeParams(client, challenge))).searchParams.get('code')!;
    const wrong = await exchangeCode(request, client, code, pkce().verifier);
    expect(wrong.status()).toBe(400);
    expect(await wrong.json()).toEqual({ error: 'invalid_grant', error_description: 'The code_verifier does not match the code_challenge.' });
    const right = await exchangeCode(request, client, code, verifier);
    expect((await right.json()).error).toBe('invalid_grant');
  });

  test('a replayed code is refused and every token issued from it is revoked', async ({ request, baseURL }) => {
    const user = await signedIn(request, baseURL!);
    const client = await registerPublicAgent(request);
    const { verifier, challenge } = pkce();
    const code = (await authorizeOverHttp(request, baseURL!, codeParams(client, challenge))).searchParams.get('code')!;
    expect((await exchangeCode(request, client, code, verifier)).status()).toBe(200);
    const replay = await exchangeCode(request, client, code, verifier);
    expect(replay.status()).toBe(400);
    expect((await replay.json()).error).toBe('invalid_grant');
    const { rows } = await testDb().query('SELECT revoked_reason FROM tokens WHERE user_id = $1', [user.id]);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.revoked_reason).toBe('authorization code replayed');
    const audit = await testDb().query("SELECT decision FROM audit_events WHERE user_id = $1 AND action = 'code.replay'", [user.id]);
    expect(audit.rows).toEqual([{ decision: 'DENY' }]);
  });

  test('the token request must repeat the exact redirect_uri, come from the same client, and be in time', async ({ request, baseURL }) => {
    await signedIn(request, baseURL!);
    const client = await registerPublicAgent(request);
    const other = await registerPublicAgent(request);
    for (const [extra, who] of [
      [{ redirect_uri: `${AGENT_CALLBACK}/` }, client],
      [{}, other],
    ] as const) {
      const { verifier, challenge } = pkce();
      const code = (await authorizeOverHttp(request, baseURL!, codeParams(client, challenge))).searchParams.get('code')!;
      const response = await exchangeCode(request, who, code, verifier, extra);
      expect(response.status()).toBe(400);
      expect((await response.json()).error).toBe('invalid_grant');
    }
    const { verifier, challenge } = pkce();
    const code = (await authorizeOverHttp(request, baseURL!, codeParams(client, challenge))).searchParams.get('code')!;
    await testDb().query(
      "UPDATE authorization_requests SET code_expires_at = now() - interval '1 second' WHERE code_hash IS NOT NULL AND code_used_at IS NULL AND agent_id = (SELECT id FROM agents WHERE client_id = $1)",
      [client.client_id],
    );
    expect((await (await exchangeCode(request, client, code, verifier)).json()).error).toBe('invalid_grant');
  });

  test('a token may be narrowed to one authorized resource, never widened (RFC 8707)', async ({ request, baseURL }) => {
    await signedIn(request, baseURL!);
    const client = await registerPublicAgent(request);
    const both = { resource: [`${baseURL}/api`, `${baseURL}/mcp`] };
    const first = pkce();
    const code = (await authorizeOverHttp(request, baseURL!, { ...codeParams(client, first.challenge), ...both })).searchParams.get('code')!;
    const narrowed = await exchangeCode(request, client, code, first.verifier, { resource: `${baseURL}/mcp` });
    expect(narrowed.status()).toBe(200);
    const { rows } = await testDb().query("SELECT audience FROM tokens WHERE kind = 'ACCESS' AND agent_id = (SELECT id FROM agents WHERE client_id = $1)", [client.client_id]);
    expect(rows).toEqual([{ audience: [`${baseURL}/mcp`] }]);

    const second = pkce();
    const onlyApi = await authorizeOverHttp(request, baseURL!, { ...codeParams(client, second.challenge), resource: `${baseURL}/api` });
    const widened = await exchangeCode(request, client, onlyApi.searchParams.get('code')!, second.verifier, { resource: `${baseURL}/mcp` });
    expect(widened.status()).toBe(400);
    expect((await widened.json()).error).toBe('invalid_target');
  });
});

test.describe('authorization endpoint errors', () => {
  for (const [name, redirect] of [
    ['a trailing slash', `${AGENT_CALLBACK}/`],
    ['different case', AGENT_CALLBACK.replace('callback', 'Callback')],
    ['an extra query', `${AGENT_CALLBACK}?x=1`],
    ['a fragment', `${AGENT_CALLBACK}#f`],
    ['another port', 'https://agent.example:8443/callback'],
    ['another host', 'https://evil.example/callback'],
  ]) {
    test(`a redirect_uri with ${name} is shown as an error page, never redirected`, async ({ request, baseURL }) => {
      const client = await registerPublicAgent(request);
      const response = await request.get(authorizeUrl(baseURL!, { ...codeParams(client, pkce().challenge), redirect_uri: redirect! }), { maxRedirects: 0 });
      expect(response.status()).toBe(400);
      expect(response.headers()['location']).toBeUndefined();
      expect(response.headers()['content-type']).toContain('text/html');
      expect(await response.text()).toContain('Invalid redirect URI');
    });
  }

  test('an unknown or missing client is an error page', async ({ request, baseURL }) => {
    const cases: Record<string, string>[] = [{ client_id: 'agent_nope', redirect_uri: AGENT_CALLBACK }, { redirect_uri: AGENT_CALLBACK }];
    for (const params of cases) {
      const response = await request.get(authorizeUrl(baseURL!, params), { maxRedirects: 0 });
      expect(response.status()).toBe(400);
      expect(response.headers()['location']).toBeUndefined();
    }
  });

  test('agent-supplied text on the error page is escaped', async ({ request, baseURL }) => {
    const response = await request.get(`${baseURL}/oauth/authorize?client_id=%3Cscript%3Ealert(1)%3C/script%3E&client_id=x`, { maxRedirects: 0 });
    const html = await response.text();
    expect(html).not.toContain('<script>alert(1)');
  });

  const redirected: [string, Record<string, string | undefined>, string][] = [
    ['no PKCE', { code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request'],
    ['PKCE plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['a PKCE method left out', { code_challenge_method: undefined }, 'invalid_request'],
    ['a malformed challenge', { code_challenge: 'short' }, 'invalid_request'],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['an unknown scope', { scope: 'datasets:read admin' }, 'invalid_scope'],
    ['an unknown resource', { resource: 'https://evil.example/api' }, 'invalid_target'],
    ['bad authorization_details', { authorization_details: '[{"type":"payment_initiation"}]' }, 'invalid_authorization_details'],
    ['an unknown authorization_details type', { authorization_details: '[{"type":"launch_missiles"}]' }, 'invalid_authorization_details'],
    ['a request_uri without PAR', { request_uri: 'urn:x' }, 'invalid_request'],
  ];
  for (const [name, change, error] of redirected) {
    test(`${name} is redirected back as ${error}, with state and iss`, async ({ request, baseURL }) => {
      const client = await registerPublicAgent(request);
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries({ ...codeParams(client, pkce().challenge), ...change })) if (v !== undefined) params[k] = v;
      const response = await request.get(authorizeUrl(baseURL!, params), { maxRedirects: 0 });
      expect(response.status()).toBe(303);
      const location = new URL(response.headers()['location']!);
      expect(`${location.origin}${location.pathname}`).toBe(AGENT_CALLBACK);
      expect(location.searchParams.get('error')).toBe(error);
      expect(location.searchParams.get('state')).toBe('st-123');
      expect(location.searchParams.get('iss')).toBe(baseURL);
    });
  }

  test('a repeated parameter is invalid_request', async ({ request, baseURL }) => {
    const client = await registerPublicAgent(request);
    const url = new URL(authorizeUrl(baseURL!, codeParams(client, pkce().challenge)));
    url.searchParams.append('scope', 'reports:read');
    const response = await request.get(url.toString(), { maxRedirects: 0 });
    expect(response.status()).toBe(303);
    expect(new URL(response.headers()['location']!).searchParams.get('error')).toBe('invalid_request');
  });

  test('a native agent may come back on any loopback port (RFC 8252 §7.3); a web agent may not', async ({ request, baseURL }) => {
    // No application_type, as most MCP clients register: loopback-only redirect URIs make it native.
    const native = await registerPublicAgent(request, { redirect_uris: ['http://127.0.0.1/callback'] });
    const ok = await request.get(authorizeUrl(baseURL!, { ...codeParams(native, pkce().challenge), redirect_uri: 'http://127.0.0.1:53682/callback' }), { maxRedirects: 0 });
    expect(ok.status()).toBe(303);
    expect(ok.headers()['location']).toContain('/consent/');
    const wrongPath = await request.get(authorizeUrl(baseURL!, { ...codeParams(native, pkce().challenge), redirect_uri: 'http://127.0.0.1:53682/other' }), { maxRedirects: 0 });
    expect(wrongPath.status()).toBe(400);
  });
});

test.describe('refresh tokens (RFC 6749 §6, RFC 9700 §4.14)', () => {
  async function tokensFor(request: APIRequestContext, baseURL: string) {
    const user = await signedIn(request, baseURL);
    const client = await registerPublicAgent(request);
    const { verifier, challenge } = pkce();
    const code = (await authorizeOverHttp(request, baseURL, codeParams(client, challenge))).searchParams.get('code')!;
    const tokens = await (await exchangeCode(request, client, code, verifier)).json();
    return { user, client, tokens };
  }
  const refresh = (request: APIRequestContext, client: RegisteredClient, token: string, extra: Record<string, string> = {}) =>
    request.post('/oauth/token', { form: { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: token, ...extra } });

  test('rotate on every use; scope may shrink but never grow', async ({ request, baseURL }) => {
    const { client, tokens } = await tokensFor(request, baseURL!);
    const first = await refresh(request, client, tokens.refresh_token, { scope: 'reports:read' });
    expect(first.status()).toBe(200);
    const rotated = await first.json();
    expect(rotated.scope).toBe('reports:read');
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    const wider = await refresh(request, client, rotated.refresh_token, { scope: 'payments:write' });
    expect((await wider.json()).error).toBe('invalid_scope');
  });

  test('reusing a used refresh token revokes the whole family and raises an alert', async ({ request, baseURL }) => {
    const { user, client, tokens } = await tokensFor(request, baseURL!);
    const rotated = await (await refresh(request, client, tokens.refresh_token)).json();
    const reuse = await refresh(request, client, tokens.refresh_token);
    expect(reuse.status()).toBe(400);
    expect((await reuse.json()).error).toBe('invalid_grant');
    // The rotated token, a descendant, is dead too.
    expect((await (await refresh(request, client, rotated.refresh_token)).json()).error).toBe('invalid_grant');
    const live = await testDb().query('SELECT count(*)::int AS n FROM tokens WHERE user_id = $1 AND revoked_at IS NULL', [user.id]);
    expect(live.rows[0].n).toBe(0);
    const alerts = await testDb().query('SELECT kind, severity FROM alerts WHERE user_id = $1', [user.id]);
    expect(alerts.rows).toContainEqual({ kind: 'refresh_token_reuse', severity: 'CRITICAL' });
  });

  test('of two concurrent refreshes with the same token, exactly one succeeds', async ({ request, baseURL }) => {
    const { client, tokens } = await tokensFor(request, baseURL!);
    const results = await Promise.all([refresh(request, client, tokens.refresh_token), refresh(request, client, tokens.refresh_token)]);
    expect(results.map((r) => r.status()).sort()).toEqual([200, 400]);
  });

  test('another client cannot use the refresh token', async ({ request, baseURL }) => {
    const { tokens } = await tokensFor(request, baseURL!);
    const thief = await registerPublicAgent(request);
    expect((await (await refresh(request, thief, tokens.refresh_token)).json()).error).toBe('invalid_grant');
  });
});
