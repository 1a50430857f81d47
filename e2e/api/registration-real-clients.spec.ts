// Registrations as the agents people run really send them (issue: every real agent connects
// unchanged). MCP clients such as Claude Code, Cursor, VS Code, OpenCode and the MCP SDKs before
// SEP-837 state no application_type and register loopback or private-use callbacks; mcp-remote's
// device-code mode sends response_types ["code"] with the device grant. Each case asserts the
// status, the exact error, and what the database holds afterwards.
import crypto from 'node:crypto';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { createAccount, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { authorizeOverHttp, authorizeUrl, expectNoStore, pkce, registerClient } from '../support/oauth';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

async function register(request: APIRequestContext, metadata: Record<string, unknown>) {
  const marker = `real-client-${crypto.randomUUID()}`;
  const response = await request.post('/oauth/register', { headers: { 'X-Forwarded-For': uniqueIp() }, data: { client_name: marker, ...metadata } });
  const { rows } = await testDb().query("SELECT metadata->>'application_type' AS application_type, metadata->'response_types' AS response_types FROM agents WHERE name = $1", [marker]);
  return { response, body: await response.json(), rows };
}

// RFC 8252 §7.3: loopback by name or literal, any port; what OpenCode, Cursor and the SDKs send.
const loopbackClients: [string, Record<string, unknown>][] = [
  [
    'a public MCP client on http://localhost:<port>/callback',
    { redirect_uris: ['http://localhost:33418/callback'], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] },
  ],
  [
    'a public MCP client on http://127.0.0.1:<port>/callback',
    { redirect_uris: ['http://127.0.0.1:19876/oauth/callback'], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] },
  ],
  ['a client on http://[::1]:<port>/', { redirect_uris: ['http://[::1]:8080/'], token_endpoint_auth_method: 'none' }],
  ['a confidential client testing against a loopback callback', { redirect_uris: ['http://localhost:3000/callback'], token_endpoint_auth_method: 'client_secret_basic' }],
  ['a client with two loopback callbacks', { redirect_uris: ['http://localhost:1/cb', 'http://127.0.0.1/cb'], token_endpoint_auth_method: 'none' }],
  ['a client with a reverse-domain private-use scheme (RFC 8252 §7.1)', { redirect_uris: ['com.example.agent:/oauth/callback'], token_endpoint_auth_method: 'none' }],
];

test.describe('POST /oauth/register: the application type real clients leave out', () => {
  for (const [name, metadata] of loopbackClients) {
    test(`${name}, with no application_type, is registered as native (RFC 8252 §7.3) and says so`, async ({ request }) => {
      const { response, body, rows } = await register(request, metadata);
      expect(response.status(), JSON.stringify(body)).toBe(201);
      expectNoStore(response.headers());
      expect(body.application_type).toBe('native');
      expect(body.redirect_uris).toEqual(metadata.redirect_uris);
      expect(rows.map((r) => r.application_type)).toEqual(['native']);
    });
  }

  test('a stated application_type always wins: web with a loopback callback is still refused', async ({ request }) => {
    const { response, body, rows } = await register(request, { application_type: 'web', redirect_uris: ['http://localhost:33418/callback'], token_endpoint_auth_method: 'none' });
    expect(response.status()).toBe(400);
    expect(body).toEqual({ error: 'invalid_redirect_uri', error_description: expect.stringMatching(/web client must use https/) });
    expect(rows).toEqual([]);
  });

  test('a stated native type with an https callback stays native', async ({ request }) => {
    const { response, body } = await register(request, { application_type: 'native', redirect_uris: ['https://agent.example/cb'], token_endpoint_auth_method: 'none' });
    expect(response.status()).toBe(201);
    expect(body.application_type).toBe('native');
  });

  test('an https client is web, as before', async ({ request }) => {
    const { response, body, rows } = await register(request, { redirect_uris: ['https://agent.example/callback'], token_endpoint_auth_method: 'none' });
    expect(response.status()).toBe(201);
    expect(body.application_type).toBe('web');
    expect(rows.map((r) => r.application_type)).toEqual(['web']);
  });

  const stillRefused: [string, string[], RegExp][] = [
    ['a mixed list (https and loopback) is web, so its loopback URI is refused', ['https://agent.example/cb', 'http://localhost:8080/cb'], /web client must use https/],
    ['a lookalike host localhost.evil.com is not loopback', ['http://localhost.evil.com/callback'], /only for loopback addresses/],
    ['a lookalike host 127.0.0.1.nip.io is not loopback', ['http://127.0.0.1.nip.io/callback'], /only for loopback addresses/],
    // Not all loopback, so web: the real loopback URI is the one refused.
    ['a lookalike host 127.0.0.1.evil.com next to a real loopback URI', ['http://127.0.0.1/cb', 'http://127.0.0.1.evil.com/cb'], /web client must use https/],
  ];
  for (const [name, redirectUris, description] of stillRefused) {
    test(`${name}: invalid_redirect_uri, nothing registered`, async ({ request }) => {
      const { response, body, rows } = await register(request, { redirect_uris: redirectUris, token_endpoint_auth_method: 'none' });
      expect(response.status()).toBe(400);
      expectNoStore(response.headers());
      expect(body).toEqual({ error: 'invalid_redirect_uri', error_description: expect.stringMatching(description) });
      expect(rows).toEqual([]);
    });
  }
});

test.describe('POST /oauth/register: redirect URIs with user information', () => {
  // The host a person reads (good.example) is not the host the code goes to (evil.example).
  for (const uri of ['https://good.example@evil.example/cb', 'https://good.example:pw@evil.example/cb', 'http://user@127.0.0.1:8080/cb', 'https://@evil.example/cb']) {
    test(`${uri} is refused with invalid_redirect_uri and nothing is registered`, async ({ request }) => {
      const { response, body, rows } = await register(request, { redirect_uris: [uri], token_endpoint_auth_method: 'none' });
      expect(response.status()).toBe(400);
      expect(body).toEqual({ error: 'invalid_redirect_uri', error_description: expect.stringMatching(/user information/) });
      expect(rows).toEqual([]);
    });
  }
});

test.describe('POST /oauth/register: inconsistent grant and response types are reconciled (RFC 7591 §2.1)', () => {
  test('mcp-remote\'s device-code registration (device grant with response_types ["code"]) is registered with the consistent values', async ({ request }) => {
    const { response, body, rows } = await register(request, {
      redirect_uris: ['http://localhost:3334/oauth/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: [DEVICE_CODE, 'refresh_token'],
      response_types: ['code'],
    });
    expect(response.status(), JSON.stringify(body)).toBe(201);
    expect(body.grant_types).toEqual([DEVICE_CODE, 'refresh_token']);
    expect(body.response_types).toEqual([]);
    expect(rows).toEqual([{ application_type: 'native', response_types: [] }]);
  });

  test('the code grant with no response_types gets ["code"]', async ({ request }) => {
    const { response, body } = await register(request, { redirect_uris: ['https://agent.example/cb'], token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], response_types: [] });
    expect(response.status()).toBe(201);
    expect(body.response_types).toEqual(['code']);
  });

  test('a response type this server does not support (implicit) is still invalid_client_metadata', async ({ request }) => {
    const { response, body, rows } = await register(request, { redirect_uris: ['https://agent.example/cb'], token_endpoint_auth_method: 'none', response_types: ['code', 'token'] });
    expect(response.status()).toBe(400);
    expect(body).toEqual({ error: 'invalid_client_metadata', error_description: expect.stringMatching(/response_types: not supported here: token/) });
    expect(rows).toEqual([]);
  });
});

test.describe('POST /oauth/register: private-use schemes that are not reverse domain names', () => {
  test("Cursor's cursor:// callback is accepted by the default allow-list (LEASH_NATIVE_SCHEMES), as a native client", async ({ request }) => {
    const { response, body, rows } = await register(request, {
      redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
    });
    expect(response.status(), JSON.stringify(body)).toBe(201);
    expect(body.application_type).toBe('native');
    expect(rows.map((r) => r.application_type)).toEqual(['native']);
  });

  test('another single-word scheme is refused (RFC 8252 §7.1), and so is any scheme for a web client', async ({ request }) => {
    const other = await register(request, { redirect_uris: ['myagent://callback'], token_endpoint_auth_method: 'none' });
    expect(other.response.status()).toBe(400);
    expect(other.body).toEqual({ error: 'invalid_redirect_uri', error_description: expect.stringMatching(/reverse domain name \(RFC 8252 section 7\.1\)/) });
    expect(other.rows).toEqual([]);
    const web = await register(request, { application_type: 'web', redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback'], token_endpoint_auth_method: 'none' });
    expect(web.response.status()).toBe(400);
    expect(web.body.error_description).toMatch(/web client cannot use the cursor: scheme/);
  });

  test('dangerous schemes are refused even for a native client', async ({ request }) => {
    for (const uri of ['javascript:alert(1)//', 'data:text/html,x', 'file:///etc/passwd']) {
      const { response, body, rows } = await register(request, { application_type: 'native', redirect_uris: [uri], token_endpoint_auth_method: 'none' });
      expect(response.status(), uri).toBe(400);
      expect(body.error).toBe('invalid_redirect_uri');
      expect(rows).toEqual([]);
    }
  });
});

test('the consent screen warns that a private-use scheme goes to whichever app claims it, and the code reaches cursor://', async ({ request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('cursor'), password: 'a-long-enough-passphrase' });
  expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
  const callback = 'cursor://anysphere.cursor-mcp/oauth/callback';
  const client = await registerClient(request, { client_name: 'Cursor', redirect_uris: [callback], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] });
  const { verifier, challenge } = pkce();
  const ask = { response_type: 'code', client_id: client.client_id, redirect_uri: callback, scope: 'datasets:read', code_challenge: challenge, code_challenge_method: 'S256' };
  const start = await request.get(authorizeUrl(baseURL!, ask), { maxRedirects: 0 });
  expect(start.status()).toBe(303);
  const consent = await (await request.get(new URL(start.headers()['location']!).pathname)).text();
  expect(consent).toMatch(/cursor(<!-- -->)?:\/\/<\/span> links/);
  expect(consent).toMatch(/Another app could claim the same links: continue only if you started (<!-- -->)?Cursor(<!-- -->)? yourself/);
  const back = await authorizeOverHttp(request, baseURL!, ask);
  expect(`${back.protocol}//${back.host}${back.pathname}`).toBe(callback);
  const tokens = await request.post('/oauth/token', {
    form: { grant_type: 'authorization_code', client_id: client.client_id, code: back.searchParams.get('code')!, code_verifier: verifier, redirect_uri: callback },
  });
  expect(tokens.status(), await tokens.text()).toBe(200);
});
