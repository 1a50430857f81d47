// Hostile input: oversized bodies (with and without Content-Length), malformed and invalid-UTF-8
// JSON and forms, very long parameters, and markup in the names agents choose. Already covered:
// an oversized token request with Content-Length (oauth-token.spec.ts), malformed JSON at sign-up,
// registration and the agents' API (sign-up, oauth-discovery-registration, workspace-writes specs),
// client_id markup on the authorization error page (oauth-authorization-code.spec.ts).
// @see 4bf867c (Bodies are bounded as they are read and must be UTF-8): the commit whose behaviour these tests guard.
import http from 'node:http';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { testDb } from '../support/db';
import { createAccount, sameOrigin, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { delegatedToken } from '../support/delegation';
import { AGENT_CALLBACK, authorizeOverHttp, authorizeUrl, basic, expectNoStore, pkce, postRaw, registerMachineClient, registerPublicAgent } from '../support/oauth';

test.use({ extraHTTPHeaders: { 'X-Forwarded-For': uniqueIp() } });

const big = (bytes: number) => 'a'.repeat(bytes);
/** RFC 6749 §5.2 / §4.1.2.1: error_description is printable ASCII. */
const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;

test.describe('oversized bodies are 413 with the endpoint’s own error format', () => {
  test('every OAuth form endpoint: 413 invalid_request, no-store (RFC 6749 §5.2)', async ({ request }) => {
    const client = await registerMachineClient(request);
    const auth = { Authorization: basic(client.client_id, client.client_secret!) };
    for (const path of ['/oauth/par', '/oauth/revoke', '/oauth/introspect', '/oauth/device_authorization', '/oauth/bc-authorize']) {
      const response = await postRaw(request, path, `token=x&scope=${big(70_000)}`, auth);
      expect(response.status(), path).toBe(413);
      expectNoStore(response.headers());
      expect(await response.json(), path).toEqual({ error: 'invalid_request', error_description: 'The request body is too large.' });
    }
  });

  test('a chunked body with no Content-Length is measured as it arrives (token endpoint and sign-up)', async ({ baseURL }) => {
    // Playwright always sends Content-Length; node:http streams chunks without one.
    async function chunked(path: string, type: string, chunks: number, chunk: string) {
      const url = new URL(path, baseURL);
      return new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', headers: { 'Content-Type': type, 'Transfer-Encoding': 'chunked', Origin: url.origin, 'X-Forwarded-For': uniqueIp() } }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('error', reject);
        for (let i = 0; i < chunks; i++) req.write(chunk);
        req.end();
      });
    }
    const token = await chunked('/oauth/token', 'application/x-www-form-urlencoded', 40, `grant_type=client_credentials&x=${big(8_000)}`);
    expect(token.status).toBe(413);
    expect(JSON.parse(token.body)).toEqual({ error: 'invalid_request', error_description: 'The request body is too large.' });
    const email = uniqueEmail('chunked');
    const signUp = await chunked('/api/account/sign-up', 'application/json', 40, `{"email":"${email}","password":"${big(8_000)}"`);
    expect(signUp.status).toBe(413);
    expect(JSON.parse(signUp.body)).toEqual({ error: 'invalid_request', message: 'The request body is too large.' });
    expect((await testDb().query('SELECT count(*)::int AS n FROM users WHERE email = $1', [email])).rows[0].n).toBe(0);
  });

  test('registration and client configuration (RFC 7591 §3.2.2, RFC 7592 §2.2): 413 invalid_client_metadata', async ({ request }) => {
    const marker = `big-${uniqueIp()}`;
    const register = await request.post('/oauth/register', {
      headers: { 'X-Forwarded-For': uniqueIp() },
      data: { client_name: marker, grant_types: ['client_credentials'], software_id: big(40_000) },
    });
    expect(register.status()).toBe(413);
    expect(await register.json()).toEqual({ error: 'invalid_client_metadata', error_description: 'The client metadata is too large.' });
    expect((await testDb().query('SELECT count(*)::int AS n FROM agents WHERE name = $1', [marker])).rows[0].n).toBe(0);

    const client = await registerMachineClient(request);
    const update = await request.put(`/oauth/register/${client.client_id}`, {
      headers: { Authorization: `Bearer ${client.registration_access_token}` },
      data: { client_id: client.client_id, grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', client_name: 'Renamed', software_id: big(40_000) },
    });
    expect(update.status()).toBe(413);
    expect(await update.json()).toEqual({ error: 'invalid_client_metadata', error_description: 'The client metadata is too large.' });
    expect((await testDb().query('SELECT name FROM agents WHERE client_id = $1', [client.client_id])).rows[0].name).toBe('Nightly report bot');
  });

  test('the consent decision and the dashboard: 413 invalid_request, nothing decided', async ({ request, baseURL }) => {
    const delegation = await delegatedToken(request, baseURL!, 'datasets:read');
    const consent = await request.post('/api/consent/any-id', { headers: sameOrigin(baseURL), data: { decision: 'allow', consent_token: big(70_000) } });
    expect(consent.status()).toBe(413);
    expect(await consent.json()).toEqual({ error: 'invalid_request', message: 'The request body is too large.' });
    const revokeAll = await request.post('/api/account/tokens/revoke-all', { headers: sameOrigin(baseURL), data: { confirm: 'revoke everything', pad: big(70_000) } });
    expect(revokeAll.status()).toBe(413);
    expect((await request.get('/api/v1/datasets', { headers: delegation.auth })).status()).toBe(200);
  });

  test('the agents’ API: 413 invalid_request, audited as refused, nothing written', async ({ request, baseURL }) => {
    const delegation = await delegatedToken(request, baseURL!, 'reports:write');
    const response = await request.post('/api/v1/reports', { headers: delegation.auth, data: { title: 'Big', dataset_id: 'ds_sales_2026', body: big(200_000) } });
    expect(response.status()).toBe(413);
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: 'The request body is too large.' });
    const { rows } = await testDb().query('SELECT decision FROM audit_events WHERE request_id = $1', [response.headers()['x-request-id']]);
    expect(rows).toEqual([{ decision: 'DENY' }]);
    expect((await testDb().query('SELECT count(*)::int AS n FROM reports WHERE agent_id = $1', [delegation.agentId])).rows[0].n).toBe(0);
  });
});

test.describe('malformed JSON and invalid UTF-8 (RFC 8259 §8.1)', () => {
  test('malformed and deeply nested JSON on the consent decision and the dashboard change nothing', async ({ request, baseURL }) => {
    const delegation = await delegatedToken(request, baseURL!, 'datasets:read');
    const headers = { ...sameOrigin(baseURL), 'Content-Type': 'application/json' };
    for (const body of ['{"confirm":', '{"confirm": "revoke everything",}', `${'['.repeat(20_000)}${']'.repeat(20_000)}`, `{"confirm":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`]) {
      const response = await request.post('/api/account/tokens/revoke-all', { headers, data: Buffer.from(body) });
      expect(response.status()).toBe(400);
      expect((await response.json()).error).toBe('invalid_request');
    }
    expect((await request.get('/api/v1/datasets', { headers: delegation.auth })).status()).toBe(200);
  });

  test('a registration whose JSON is not UTF-8 is refused and registers nothing', async ({ request }) => {
    const marker = `utf8-${uniqueIp()}`;
    // 0xFF never occurs in UTF-8; 0xC0 0xBC is an overlong "<".
    const body = Buffer.concat([Buffer.from(`{"client_name":"${marker}`), Buffer.from([0xff, 0xc0, 0xbc]), Buffer.from('","grant_types":["client_credentials"]}')]);
    const response = await request.post('/oauth/register', { headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': uniqueIp() }, data: body });
    expect(response.status()).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_client_metadata', error_description: 'The body is not valid UTF-8 JSON.' });
    expect((await testDb().query("SELECT count(*)::int AS n FROM agents WHERE name LIKE $1 || '%'", [marker])).rows[0].n).toBe(0);
  });

  test('a dashboard JSON body that is not UTF-8 is refused', async ({ request, baseURL }) => {
    const email = uniqueEmail('utf8');
    const body = Buffer.concat([Buffer.from(`{"email":"${email}","password":"a-long-enough-pass`), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const response = await request.post('/api/account/sign-up', { headers: { ...sameOrigin(baseURL), 'Content-Type': 'application/json', 'X-Forwarded-For': uniqueIp() }, data: body });
    expect(response.status()).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_request', message: 'The request body is not valid UTF-8 JSON.' });
    expect((await testDb().query('SELECT count(*)::int AS n FROM users WHERE email = $1', [email])).rows[0].n).toBe(0);
  });

  test('invalid UTF-8 in a form is refused with an ASCII error_description (RFC 6749 §5.2)', async ({ request }) => {
    const client = await registerMachineClient(request);
    const auth = { Authorization: basic(client.client_id, client.client_secret!) };
    for (const body of ['grant_type=client_credentials&scope=%FF%FE', `grant_type=client_credentials&scope=${encodeURIComponent('réports:read <b>"x"</b>')}`]) {
      const response = await postRaw(request, '/oauth/token', body, auth);
      expect(response.status(), body).toBe(400);
      const json = await response.json();
      expect(json.error).toBe('invalid_scope');
      expect(json.error_description).toMatch(PRINTABLE_ASCII);
    }
    const raw = await request.post('/oauth/token', {
      headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' },
      data: Buffer.concat([Buffer.from('grant_type=client_credentials&scope='), Buffer.from([0xff])]),
    });
    expect(raw.status()).toBe(400);
    expect((await raw.json()).error_description).toMatch(PRINTABLE_ASCII);
    expect((await testDb().query('SELECT count(*)::int AS n FROM tokens WHERE agent_id = (SELECT id FROM agents WHERE client_id = $1)', [client.client_id])).rows[0].n).toBe(0);
  });
});

test.describe('very long parameters', () => {
  test('at the token endpoint and the API: the RFC error, never a server error', async ({ request }) => {
    const client = await registerMachineClient(request);
    const agent = await registerPublicAgent(request);
    const auth = { Authorization: basic(client.client_id, client.client_secret!) };
    const cases: [Record<string, string>, Record<string, string>, number, string][] = [
      [{}, { grant_type: 'authorization_code', client_id: agent.client_id, code: `lsh_ac_${big(60_000)}`, code_verifier: big(60), redirect_uri: AGENT_CALLBACK }, 400, 'invalid_grant'],
      [{}, { grant_type: 'refresh_token', client_id: agent.client_id, refresh_token: `lsh_rt_${big(60_000)}` }, 400, 'invalid_grant'],
      [{}, { grant_type: 'client_credentials', client_id: big(60_000), client_secret: 'x' }, 401, 'invalid_client'],
      [
        {},
        { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: `${big(30_000)}.${big(30_000)}.x` },
        401,
        'invalid_client',
      ],
      [auth, { grant_type: 'client_credentials', scope: big(60_000) }, 400, 'invalid_scope'],
    ];
    for (const [headers, form, status, error] of cases) {
      const response = await request.post('/oauth/token', { headers, form });
      expect(response.status(), error).toBe(status);
      const json = await response.json();
      expect(json.error).toBe(error);
      // The reflected value is not echoed back in full.
      expect(json.error_description.length).toBeLessThanOrEqual(300);
    }
    const api = await request.get('/api/v1/datasets', { headers: { Authorization: `Bearer lsh_at_${big(8_000)}` } });
    expect(api.status()).toBe(401);
    expect(api.headers()['www-authenticate']).toContain('error="invalid_token"');
  });

  test('at the authorization endpoint: a reflected scope is cut short, and a URL past the header limit is 431', async ({ request, baseURL }) => {
    const client = await registerPublicAgent(request);
    const params = { response_type: 'code', client_id: client.client_id, redirect_uri: AGENT_CALLBACK, state: 's', code_challenge: pkce().challenge, code_challenge_method: 'S256' };
    const long = await request.get(authorizeUrl(baseURL!, { ...params, scope: `reports:read ${'x'.repeat(8_000)}` }), { maxRedirects: 0 });
    expect(long.status()).toBe(303);
    const location = new URL(long.headers()['location']!);
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('error_description')!.length).toBeLessThanOrEqual(300);
    expect(location.searchParams.get('error_description')).toMatch(PRINTABLE_ASCII);

    const tooLong = await request.get(authorizeUrl(baseURL!, { ...params, scope: 'reports:read', state: big(70_000) }), { maxRedirects: 0 });
    expect(tooLong.status()).toBe(431);
    const { rows } = await testDb().query('SELECT count(*)::int AS n FROM authorization_requests WHERE agent_id = (SELECT id FROM agents WHERE client_id = $1)', [client.client_id]);
    expect(rows[0].n).toBe(0);
  });
});

test.describe('markup in agent-chosen names (RFC 7591 §5: client metadata is untrusted; rendered as text)', () => {
  const NAME = `<script>alert("name")</script><img src=x onerror=alert(2)>&amp;`;

  async function consentHtml(request: APIRequestContext, baseURL: string) {
    const user = await createAccount(request, baseURL, { email: uniqueEmail('sec-html'), password: 'a-long-enough-passphrase' });
    expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
    const client = await registerPublicAgent(request, { client_name: NAME });
    const params = { response_type: 'code', client_id: client.client_id, redirect_uri: AGENT_CALLBACK, scope: 'reports:read', code_challenge: pkce().challenge, code_challenge_method: 'S256' };
    const start = await request.get(authorizeUrl(baseURL, params), { maxRedirects: 0 });
    const html = await (await request.get(new URL(start.headers()['location']!).pathname)).text();
    return { client, params, html };
  }
  function expectEscaped(html: string, where: string) {
    expect(html, where).not.toContain('<script>alert(');
    expect(html, where).not.toContain('<img src=x');
    expect(html, where).toContain('&lt;script&gt;alert(');
    expect(html, where).toContain('&lt;img src=x onerror=alert(2)&gt;&amp;amp;');
  }

  test('the consent screen, the agent list and the agent page show the name as text', async ({ request, baseURL }) => {
    const { client, params, html } = await consentHtml(request, baseURL!);
    expectEscaped(html, 'consent');
    await authorizeOverHttp(request, baseURL!, { ...params, code_challenge: pkce().challenge });
    const { rows } = await testDb().query('SELECT id, name FROM agents WHERE client_id = $1', [client.client_id]);
    expect(rows[0].name).toBe(NAME); // stored as given: escaping is the renderer's job
    expectEscaped(await (await request.get('/agents')).text(), 'agents');
    expectEscaped(await (await request.get(`/agents/${rows[0].id}`)).text(), 'agent page');
  });
});
