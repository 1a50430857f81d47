// Client ID Metadata Documents: the agent's client_id is the URL of its own metadata document.
// The documents are served by this test on a loopback port the test server allowlists
// (LEASH_CIMD_ALLOWLIST); everything else that points inside the network is refused.
// @see dcbbda7 (Client ID Metadata Documents): the commit whose behaviour these tests guard.
import http from 'node:http';
import crypto from 'node:crypto';
import { expect, test } from '@playwright/test';
import { testDb } from '../support/db';
import { createAccount, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { AGENT_CALLBACK, authorizeOverHttp, authorizeUrl, exchangeCode, pkce } from '../support/oauth';

test.describe.configure({ mode: 'serial' });

const port = Number(process.env.LEASH_TEST_CIMD_PORT ?? 3101);
type Served = { status?: number; body: unknown; headers?: Record<string, string> };
const documents = new Map<string, Served>();
const hits = new Map<string, number>();
let server: http.Server;

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
    const doc = documents.get(req.url!);
    if (!doc) return res.writeHead(404).end();
    res.writeHead(doc.status ?? 200, { 'Content-Type': 'application/json', ...doc.headers });
    res.end(typeof doc.body === 'string' ? doc.body : JSON.stringify(doc.body));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
});
test.afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function serve(document: (clientId: string) => unknown, extra: Omit<Served, 'body'> = {}) {
  const path = `/agents/${crypto.randomUUID()}.json`;
  const clientId = `http://127.0.0.1:${port}${path}`;
  documents.set(path, { ...extra, body: document(clientId) });
  return { clientId, path };
}

const goodDocument = (clientId: string) => ({
  client_id: clientId,
  client_name: 'Docs Helper',
  redirect_uris: [AGENT_CALLBACK],
  grant_types: ['authorization_code'],
  token_endpoint_auth_method: 'none',
  logo_uri: 'https://agent.example/logo.png',
});

function params(clientId: string, challenge: string) {
  return {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: AGENT_CALLBACK,
    scope: 'reports:read',
    state: 's',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
}

test('a metadata-document agent is fetched, verified by its domain, and completes the flow', async ({ request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('cimd'), password: 'a-long-enough-passphrase' });
  expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
  const { clientId, path } = serve(goodDocument, { headers: { 'Cache-Control': 'max-age=600' } });
  const { verifier, challenge } = pkce();

  const start = await request.get(authorizeUrl(baseURL!, params(clientId, challenge)), { maxRedirects: 0 });
  expect(start.status()).toBe(303);
  const consent = await request.get(new URL(start.headers()['location']!).pathname);
  expect(await consent.text()).toMatch(/Verified · (<!-- -->)?127\.0\.0\.1/);
  const { rows } = await testDb().query('SELECT registration, verified_domain, name FROM agents WHERE client_id = $1', [clientId]);
  expect(rows).toEqual([{ registration: 'CIMD', verified_domain: '127.0.0.1', name: 'Docs Helper' }]);

  const back = await authorizeOverHttp(request, baseURL!, params(clientId, challenge));
  const tokens = await (await exchangeCode(request, { client_id: clientId }, back.searchParams.get('code')!, verifier)).json();
  expect(tokens.scope).toBe('reports:read');
  // Cached per its Cache-Control: fetched once for both authorizations.
  expect(hits.get(path)).toBe(1);
});

const refused: [string, () => string, RegExp][] = [
  ['a document whose client_id is another URL', () => serve((id) => ({ ...goodDocument(id), client_id: `${id}-other` })).clientId, /does not name this client_id/],
  ['a document that redirects', () => serve(goodDocument, { status: 302, headers: { Location: 'http://10.0.0.1/x.json' } }).clientId, /redirects are not followed/],
  ['an oversized document', () => serve((id) => ({ ...goodDocument(id), padding: 'x'.repeat(6000) })).clientId, /larger than 5120 bytes/],
  ['a document that is not JSON', () => serve(() => '<html>').clientId, /not valid JSON/],
  ['a document asking for a client secret', () => serve((id) => ({ ...goodDocument(id), token_endpoint_auth_method: 'client_secret_post' })).clientId, /client secret/],
  ['a private address', () => 'https://10.1.2.3/agent.json', /non-public address/],
  ['a loopback name', () => 'https://localhost:9/agent.json', /non-public address/],
  ['an IPv6 loopback', () => 'https://[::1]:9/agent.json', /non-public address/],
  ['a link-local metadata endpoint', () => 'https://169.254.169.254/latest/meta-data.json', /non-public address/],
  ['a URL with a fragment', () => 'https://agent.example/client.json#x', /fragment/],
];
for (const [name, clientId, message] of refused) {
  test(`${name} is refused on an error page, and no agent is recorded`, async ({ request, baseURL }) => {
    const id = clientId();
    const response = await request.get(authorizeUrl(baseURL!, params(id, pkce().challenge)), { maxRedirects: 0 });
    expect(response.status()).toBe(400);
    expect(response.headers()['location']).toBeUndefined();
    const html = await response.text();
    expect(html).toContain('Unverifiable application');
    expect(html).toMatch(message);
    const { rows } = await testDb().query('SELECT count(*)::int AS n FROM agents WHERE client_id = $1', [id]);
    expect(rows[0].n).toBe(0);
  });
}

// A document shaped like the ones MCP hosts such as Claude Code publish: loopback callbacks, no
// application_type. Such a client can only run on the user's computer (RFC 8252 §7.3): it is
// recorded as native, so any loopback port matches. Before, it was read as a web client and the
// browser was left on an error at /oauth/authorize.
test('a document with loopback callbacks and no application_type is a native client: any port, consent, tokens (with a refresh token it did not ask offline_access for)', async ({
  request,
  baseURL,
}) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('cimd-native'), password: 'a-long-enough-passphrase' });
  expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
  const { clientId } = serve((id) => ({
    client_id: id,
    client_name: 'Claude Code',
    client_uri: 'https://claude.ai',
    redirect_uris: ['http://localhost/callback', 'http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  }));
  const { verifier, challenge } = pkce();
  // The port the app happens to listen on this time (RFC 8252 §7.3: any port for loopback).
  const redirectUri = 'http://localhost:41873/callback';
  const ask = { ...params(clientId, challenge), redirect_uri: redirectUri, scope: 'datasets:read reports:read' };
  const start = await request.get(authorizeUrl(baseURL!, ask), { maxRedirects: 0 });
  expect(start.status(), await start.text()).toBe(303);
  const consent = await (await request.get(new URL(start.headers()['location']!).pathname)).text();
  expect(consent).toContain('This agent runs on a computer (localhost)');
  expect(consent).toContain('Stay connected when you are away');
  const { rows } = await testDb().query("SELECT registration, metadata->>'application_type' AS application_type FROM agents WHERE client_id = $1", [clientId]);
  expect(rows).toEqual([{ registration: 'CIMD', application_type: 'native' }]);

  // The consent screen lists offline_access, ticked like every scope; the person keeps it.
  const back = await authorizeOverHttp(request, baseURL!, ask, { scopes: ['datasets:read', 'reports:read', 'offline_access'] });
  expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
  const exchanged = await exchangeCode(request, { client_id: clientId }, back.searchParams.get('code')!, verifier, { redirect_uri: redirectUri });
  expect(exchanged.status()).toBe(200);
  const tokens = await exchanged.json();
  expect(tokens.scope).toBe('datasets:read offline_access reports:read');
  expect(tokens.refresh_token).toMatch(/^lsh_rt_/);
});
