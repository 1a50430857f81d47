// Server-side request forgery through the URLs an agent chooses (RFC 9700 has no SSRF section;
// RFC 7591 §5 and the Client ID Metadata Document draft's security considerations do): its metadata document (CIMD), its
// jwks_uri and its logo_uri. Already covered in oauth-cimd.spec.ts: a document that redirects (to
// 10.0.0.1, message only), 10.1.2.3, localhost, [::1], 169.254.169.254, a fragment, oversized and
// non-JSON documents. Here: the other private, loopback and link-local forms, redirects to each of
// them with proof that the target is never contacted, jwks_uri (never fetched), and logo_uri
// (never fetched by the server, refused on private addresses).
// @see 0fb176b (A logo_uri on a loopback, private or link-local): the commit whose behaviour these tests guard.
import http from 'node:http';
import net from 'node:net';
import crypto from 'node:crypto';
import { expect, test } from '@playwright/test';
import { testDb } from '../support/db';
import { createAccount, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { AGENT_CALLBACK, authorizeUrl, pkce, registerPublicAgent } from '../support/oauth';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

test.use({ extraHTTPHeaders: { 'X-Forwarded-For': uniqueIp() } });

function authorizeParams(clientId: string) {
  return {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: AGENT_CALLBACK,
    scope: 'reports:read',
    state: 's',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
  };
}
const agentRows = async (clientId: string) => (await testDb().query('SELECT count(*)::int AS n FROM agents WHERE client_id = $1', [clientId])).rows[0].n as number;

/** A TCP listener that only counts who connects: proof that the server never reached it. */
async function connectionCounter() {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test.describe('CIMD client_id on a non-public address (draft-ietf-oauth-client-id-metadata-document, Security Considerations: SSRF)', () => {
  const nonPublic = /non-public address/;
  const notCanonical = /not in canonical form/;
  const cases: [string, string, RegExp][] = [
    ['192.168/16', 'https://192.168.1.10/agent.json', nonPublic],
    ['172.16/12', 'https://172.20.0.5/agent.json', nonPublic],
    ['10/8 at its top', 'https://10.255.255.254/agent.json', nonPublic],
    ['127.0.0.1', 'https://127.0.0.1/agent.json', nonPublic],
    ['elsewhere in 127/8', 'https://127.1.2.3/agent.json', nonPublic],
    ['0.0.0.0', 'https://0.0.0.0/agent.json', nonPublic],
    ['the ECS metadata link-local address', 'https://169.254.170.2/v2/credentials.json', nonPublic],
    ['a carrier-grade NAT cloud metadata address', 'https://100.100.100.200/latest/meta-data.json', nonPublic],
    ['IPv6 link-local', 'https://[fe80::1]/agent.json', nonPublic],
    ['an IPv6 unique-local metadata address', 'https://[fd00:ec2::254]/latest/meta-data.json', nonPublic],
    ['the IPv6 unspecified address', 'https://[::]/agent.json', nonPublic],
    ['IPv4-mapped loopback', 'https://[::ffff:7f00:1]/agent.json', nonPublic],
    ['IPv4-mapped metadata address', 'https://[::ffff:a9fe:a9fe]/latest/meta-data.json', nonPublic],
    // Spellings a URL parser rewrites into 127.0.0.1 or ::ffff:127.0.0.1 are not canonical client_ids.
    ['loopback as a decimal number', 'https://2130706433/agent.json', notCanonical],
    ['loopback in hex', 'https://0x7f.0.0.1/agent.json', notCanonical],
    ['loopback in short form', 'https://127.1/agent.json', notCanonical],
    ['IPv4-mapped loopback in dotted form', 'https://[::ffff:127.0.0.1]/agent.json', notCanonical],
  ];
  for (const [name, clientId, message] of cases) {
    test(`${name} is refused before any request, on an error page`, async ({ request, baseURL }) => {
      const response = await request.get(authorizeUrl(baseURL!, authorizeParams(clientId)), { maxRedirects: 0 });
      expect(response.status()).toBe(400);
      expect(response.headers()['location']).toBeUndefined();
      const html = await response.text();
      expect(html).toContain('Unverifiable application');
      expect(html).toMatch(message);
      expect(await agentRows(clientId)).toBe(0);
    });
  }

  test('plain http on loopback is never treated as a metadata document; the back channel refuses a private one too', async ({ request, baseURL }) => {
    const counter = await connectionCounter();
    try {
      const clientId = `http://127.0.0.1:${counter.port}/agent.json`;
      const front = await request.get(authorizeUrl(baseURL!, authorizeParams(clientId)), { maxRedirects: 0 });
      expect(front.status()).toBe(400);
      expect(await front.text()).toContain('Unknown application');
      // The token endpoint resolves metadata-document clients too (RFC 6749 §2.3, public client).
      const metadata = 'https://169.254.169.254/latest/meta-data/agent.json';
      const back = await request.post('/oauth/token', { form: { grant_type: 'authorization_code', client_id: metadata, code: 'x', code_verifier: 'y' } });
      expect(back.status()).toBe(401);
      expect(await back.json()).toEqual({ error: 'invalid_client', error_description: "The application's metadata document was refused: the URL points at a non-public address." });
      expect(counter.connections()).toBe(0);
      expect(await agentRows(clientId)).toBe(0);
      expect(await agentRows(metadata)).toBe(0);
    } finally {
      await counter.close();
    }
  });
});

test.describe('CIMD redirects and jwks_uri, against a server that allowlists this test’s document host', () => {
  test.describe.configure({ mode: 'serial' });
  let app: SpawnedServer;
  let documents: http.Server;
  let port: number;
  const hits = new Map<string, number>();
  const responses = new Map<string, { status: number; headers?: Record<string, string>; body?: unknown }>();

  test.beforeAll(async () => {
    test.setTimeout(60_000);
    documents = http.createServer((req, res) => {
      hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
      const answer = responses.get(req.url!);
      if (!answer) return res.writeHead(404).end();
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
    port = (documents.address() as net.AddressInfo).port;
    app = await spawnServer({ LEASH_CIMD_ALLOWLIST: `127.0.0.1:${port}` });
  });
  test.afterAll(async () => {
    await app?.stop();
    await new Promise<void>((resolve) => documents.close(() => resolve()));
  });

  const document = (clientId: string, extra: Record<string, unknown> = {}) => ({
    client_id: clientId,
    client_name: 'Redirecting agent',
    redirect_uris: [AGENT_CALLBACK],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'none',
    ...extra,
  });
  /** Serves a valid document at a fresh path; returns its client_id. */
  function serveDocument(extra: Record<string, unknown> = {}) {
    const path = `/agents/${crypto.randomUUID()}.json`;
    const clientId = `http://127.0.0.1:${port}${path}`;
    responses.set(path, { status: 200, body: document(clientId, extra) });
    return { path, clientId };
  }
  const authorize = (clientId: string) => fetch(authorizeUrl(app.baseURL, authorizeParams(clientId)), { redirect: 'manual' });

  test('the control: a valid document on the allowlisted host is fetched and leads to consent', async () => {
    const { path, clientId } = serveDocument();
    const response = await authorize(clientId);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toContain('/consent/');
    expect(hits.get(path)).toBe(1);
    expect(await agentRows(clientId)).toBe(1);
  });

  const targets: [number, string, (p: number) => string][] = [
    [301, 'the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    [302, '192.168/16', () => 'http://192.168.0.1/agent.json'],
    [303, '127/8 (a valid document on the allowlisted host itself)', (p) => `http://127.0.0.1:${p}/TARGET`],
    [307, 'localhost (the same document by name)', (p) => `http://localhost:${p}/TARGET`],
    [308, 'IPv6 loopback', (p) => `http://[::1]:${p}/TARGET`],
  ];
  for (const [status, name, location] of targets) {
    test(`a ${status} redirect to ${name} is not followed, and the target is never contacted`, async () => {
      // The redirect target is itself a valid document for the redirecting client_id.
      const redirectPath = `/redirect/${crypto.randomUUID()}.json`;
      const clientId = `http://127.0.0.1:${port}${redirectPath}`;
      const targetPath = `/target/${crypto.randomUUID()}.json`;
      responses.set(targetPath, { status: 200, body: document(clientId) });
      responses.set(redirectPath, { status, headers: { Location: location(port).replace('/TARGET', targetPath) } });
      const response = await authorize(clientId);
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      const html = await response.text();
      expect(html).toContain('Unverifiable application');
      expect(html).toContain('redirects are not followed');
      expect(hits.get(redirectPath)).toBe(1);
      expect(hits.get(targetPath)).toBeUndefined();
      expect(await agentRows(clientId)).toBe(0);
    });
  }

  test('a document naming a jwks_uri is refused, and the jwks_uri is never fetched', async () => {
    const jwksPath = `/jwks/${crypto.randomUUID()}.json`;
    responses.set(jwksPath, { status: 200, body: { keys: [] } });
    const { path, clientId } = serveDocument({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: `http://127.0.0.1:${port}${jwksPath}` });
    const response = await authorize(clientId);
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('Unverifiable application');
    expect(html).toContain('jwks_uri');
    expect(hits.get(path)).toBe(1);
    expect(hits.get(jwksPath)).toBeUndefined();
    expect(await agentRows(clientId)).toBe(0);
  });
});

test.describe('jwks_uri and logo_uri at registration (RFC 7591 §2, §5)', () => {
  test('a jwks_uri pointing inside the network is refused and never fetched', async ({ request }) => {
    const counter = await connectionCounter();
    try {
      for (const jwksUri of [
        'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
        `https://127.0.0.1:${counter.port}/jwks.json`,
        `http://localhost:${counter.port}/jwks.json`,
        'https://192.168.1.1/jwks.json',
      ]) {
        const marker = `jwks-${crypto.randomUUID()}`;
        const response = await request.post('/oauth/register', {
          headers: { 'X-Forwarded-For': uniqueIp() },
          data: { client_name: marker, grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri },
        });
        expect(response.status(), jwksUri).toBe(400);
        expect(await response.json()).toEqual({ error: 'invalid_client_metadata', error_description: 'jwks_uri: jwks_uri is not supported yet; register the keys inline as jwks' });
        expect((await testDb().query('SELECT count(*)::int AS n FROM agents WHERE name = $1', [marker])).rows[0].n).toBe(0);
      }
      expect(counter.connections()).toBe(0);
    } finally {
      await counter.close();
    }
  });

  const privateLogos: [string, string][] = [
    ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data/logo.png'],
    ['10/8', 'https://10.0.0.1/logo.png'],
    ['192.168/16', 'https://192.168.1.1/cgi-bin/reboot.png'],
    ['127/8', 'https://127.0.0.1:8080/logo.png'],
    ['IPv6 loopback', 'https://[::1]/logo.png'],
    ['IPv6 link-local', 'https://[fe80::1]/logo.png'],
    ['localhost', 'https://localhost/logo.png'],
  ];
  for (const [name, logo] of privateLogos) {
    // The consent screen would make the user's browser request it from inside their network.
    test(`a logo_uri on ${name} is refused`, async ({ request }) => {
      const marker = `logo-${crypto.randomUUID()}`;
      const response = await request.post('/oauth/register', {
        headers: { 'X-Forwarded-For': uniqueIp() },
        data: { client_name: marker, grant_types: ['client_credentials'], logo_uri: logo },
      });
      expect(response.status()).toBe(400);
      expect(await response.json()).toEqual({ error: 'invalid_client_metadata', error_description: 'logo_uri: must be an https URL on a public host' });
      expect((await testDb().query('SELECT count(*)::int AS n FROM agents WHERE name = $1', [marker])).rows[0].n).toBe(0);
    });
  }

  test('the server never fetches a logo itself: consent and dashboard only name it for the browser', async ({ request, baseURL }) => {
    const counter = await connectionCounter();
    try {
      const user = await createAccount(request, baseURL, { email: uniqueEmail('sec-logo'), password: 'a-long-enough-passphrase' });
      expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
      const client = await registerPublicAgent(request, { logo_uri: 'https://agent.example/logo.png' });
      // A stored logo that points at a listener of ours (as an older registration might).
      const logo = `https://127.0.0.1:${counter.port}/logo.png`;
      await testDb().query('UPDATE agents SET logo_uri = $2 WHERE client_id = $1', [client.client_id, logo]);
      const start = await request.get(authorizeUrl(baseURL!, authorizeParams(client.client_id)), { maxRedirects: 0 });
      expect(start.status()).toBe(303);
      const consent = await request.get(new URL(start.headers()['location']!).pathname);
      expect(consent.status()).toBe(200);
      expect(await consent.text()).toContain(`src="${logo}"`);
      expect((await request.get('/agents')).status()).toBe(200);
      expect(counter.connections()).toBe(0);
    } finally {
      await counter.close();
    }
  });
});
