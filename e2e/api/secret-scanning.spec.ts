// Leaked credentials revoke themselves (issue 15 §3, docs/secret-scanning.md): a server whose
// LEASH_SECRET_SCANNING_KEYS_URL points at this test's own key server on loopback, and reports
// signed as GitHub's secret scanning partner program signs them (ECDSA P-256 / SHA-256 over the raw
// body, a key pair made here with node:crypto). A valid report kills the tokens, their session and
// family at once, alerts the owner with the URL, writes the audit rows and labels every token; a
// forged, foreign, unknown-key, malformed or replayed report gets its error and changes nothing.
import crypto from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { expect, request as playwrightRequest, test, type APIRequestContext } from '@playwright/test';
import { uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken, type Delegation } from '../support/delegation';
import { registerPublicAgent } from '../support/oauth';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

const PATH = '/api/secret-scanning/github';
const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

type KeyPair = { id: string; privateKey: crypto.KeyObject; pem: string };
function keyPair(): KeyPair {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // GitHub's key identifiers are 64 hex digits; any string names a key.
  const id = crypto
    .createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
  return { id, privateKey, pem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
}
/** GitHub's key, listed by the key server, and an outsider's, listed nowhere. */
const github = keyPair();
const outsider = keyPair();

/** The same ECDSA signature with s replaced by n - s: it verifies too (ECDSA is malleable). */
function malleate(base64: string): string {
  const der = Buffer.from(base64, 'base64');
  const rLength = der[3]!;
  const r = der.subarray(4, 4 + rLength);
  const s = BigInt(`0x${der.subarray(6 + rLength).toString('hex')}`);
  let hex = (N - s).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let sBytes = Buffer.from(hex, 'hex');
  if (sBytes[0]! & 0x80) sBytes = Buffer.concat([Buffer.from([0]), sBytes]);
  const content = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, sBytes.length]), sBytes]);
  return Buffer.concat([Buffer.from([0x30, content.length]), content]).toString('base64');
}

const signature = (body: string, key: KeyPair) => crypto.sign('sha256', Buffer.from(body), { key: key.privateKey, dsaEncoding: 'der' }).toString('base64');
const sha256 = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

let app: SpawnedServer;
let keyServer: http.Server;
let api: APIRequestContext;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  keyServer = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ public_keys: [{ key_identifier: github.id, key: github.pem, is_current: true }] }));
  });
  await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
  const port = (keyServer.address() as net.AddressInfo).port;
  // The suite's database and data folder, the test's key server, and a low per-address limit.
  app = await spawnServer({
    DATABASE_URL: process.env.DATABASE_URL!,
    LEASH_DATA_DIR: process.env.LEASH_DATA_DIR!,
    LEASH_TRUSTED_PROXIES: '1',
    LEASH_SECRET_SCANNING_KEYS_URL: `http://127.0.0.1:${port}/meta/public_keys/secret_scanning`,
    LEASH_SECRET_SCANNING_IP_LIMIT: '6',
  });
  api = await playwrightRequest.newContext({ baseURL: app.baseURL });
});

test.afterAll(async () => {
  await api?.dispose();
  await app?.stop();
  await new Promise<void>((resolve) => keyServer?.close(() => resolve()));
});

/** Posts a report as GitHub does: the raw body, signed, from its own address. */
function post(body: string, headers: Record<string, string>, ip = uniqueIp()) {
  return api.post(PATH, { data: Buffer.from(body), headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': ip, ...headers } });
}
const signedBy = (body: string, key: KeyPair, keyId = key.id) => ({ 'Github-Public-Key-Identifier': keyId, 'Github-Public-Key-Signature': signature(body, key) });

const report = (findings: { token: string; type: string; url?: string; source?: string }[]) =>
  JSON.stringify(
    findings.map((f) => ({ source: f.source ?? 'content', token: f.token, type: f.type, url: f.url ?? `https://github.com/octocat/agent/blob/${crypto.randomBytes(20).toString('hex')}/.env` })),
  );

/** A fresh user and agent with an access and a refresh token, on the spawned server. */
async function session(): Promise<Delegation & { refreshToken: string; context: APIRequestContext }> {
  const context = await playwrightRequest.newContext({ baseURL: app.baseURL });
  const d = await delegatedToken(context, app.baseURL, 'datasets:read offline_access');
  expect(d.refreshToken).toMatch(/^lsh_rt_/);
  return { ...d, refreshToken: d.refreshToken!, context };
}
const call = (token: string) => api.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${token}` } });
const refresh = (d: Delegation & { refreshToken: string }) => api.post('/oauth/token', { form: { grant_type: 'refresh_token', client_id: d.clientId, refresh_token: d.refreshToken } });

async function tokensOf(agentId: string) {
  const { rows } = await testDb().query('SELECT kind, revoked_at, revoked_reason FROM tokens WHERE agent_id = $1 ORDER BY created_at', [agentId]);
  return rows as { kind: string; revoked_at: Date | null; revoked_reason: string | null }[];
}
async function leakRows(agentId: string) {
  const { rows } = await testDb().query("SELECT user_id, token_id, decision, details FROM audit_events WHERE agent_id = $1 AND action = 'credential.leaked' ORDER BY id", [agentId]);
  return rows;
}
async function leakAlerts(userId: string) {
  const { rows } = await testDb().query("SELECT kind, severity, message, details, agent_id FROM alerts WHERE user_id = $1 AND kind LIKE 'credential_leaked:%'", [userId]);
  return rows;
}

test('a leaked access token and a leaked refresh token die at once with their session; the owners are told where; every token is labelled', async () => {
  const a = await session(); // its access token leaks
  const r = await session(); // its refresh token leaks
  const bystander = await session();
  for (const d of [a, r, bystander]) expect((await call(d.token)).status()).toBe(200);

  const unknown = `lsh_at_${'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg'}4d2Juo`; // well formed, checksum right, never issued
  const lookAlike = a.token.slice(0, -1) + (a.token.endsWith('A') ? 'B' : 'A'); // checksum wrong
  const urlA = 'https://github.com/octocat/agent/blob/0f1e2d3c/config/.env';
  const urlR = 'https://gist.github.com/octocat/5ca1ab1e';
  const body = report([
    { token: a.token, type: 'leash_access_token', url: urlA, source: 'commit' },
    { token: r.refreshToken, type: 'leash_refresh_token', url: urlR, source: 'gist_content' },
    { token: unknown, type: 'leash_access_token' },
    { token: lookAlike, type: 'leash_access_token' },
    { token: 'ghp_notoursatall', type: 'leash_access_token' },
  ]);
  const answer = await post(body, signedBy(body, github));
  expect(answer.status(), await answer.text()).toBe(200);
  expect(answer.headers()['content-type']).toContain('application/json');
  expect(answer.headers()['cache-control']).toBe('no-store');
  // The partner program's feedback format: the SHA-256 of each token, its type, the verdict.
  expect(await answer.json()).toEqual([
    { token_hash: sha256(a.token), token_type: 'leash_access_token', label: 'true_positive' },
    { token_hash: sha256(r.refreshToken), token_type: 'leash_refresh_token', label: 'true_positive' },
    { token_hash: sha256(unknown), token_type: 'leash_access_token', label: 'false_positive' },
    { token_hash: sha256(lookAlike), token_type: 'leash_access_token', label: 'false_positive' },
    { token_hash: sha256('ghp_notoursatall'), token_type: 'leash_access_token', label: 'false_positive' },
  ]);

  // Dead on the next call, both of them, and both halves of each session: the access token's
  // refresh token no longer refreshes, the refresh token's access token no longer calls.
  expect((await call(a.token)).status()).toBe(401);
  expect((await refresh(a)).status()).toBe(400);
  expect((await refresh(r)).status()).toBe(400);
  expect((await call(r.token)).status()).toBe(401);
  for (const d of [a, r]) {
    const tokens = await tokensOf(d.agentId);
    expect(tokens.map((t) => t.kind).sort()).toEqual(['ACCESS', 'REFRESH']);
    for (const t of tokens) expect(t).toMatchObject({ revoked_at: expect.any(Date), revoked_reason: 'found in public by GitHub secret scanning' });
  }
  // Nobody else's token was touched.
  expect((await call(bystander.token)).status()).toBe(200);
  expect((await tokensOf(bystander.agentId)).every((t) => t.revoked_at === null)).toBe(true);
  expect(await leakRows(bystander.agentId)).toEqual([]);

  // The audit log: one row per leaked credential, with where it was found and what was revoked.
  expect(await leakRows(a.agentId)).toEqual([
    {
      user_id: a.userId,
      token_id: expect.any(String),
      decision: 'ALLOW',
      details: { credential: 'access_token', url: urlA, source: 'commit', type: 'leash_access_token', reporter: 'github', revoked: 2, outcome: 'revoked' },
    },
  ]);
  expect((await leakRows(r.agentId))[0].details).toEqual({
    credential: 'refresh_token',
    url: urlR,
    source: 'gist_content',
    type: 'leash_refresh_token',
    reporter: 'github',
    revoked: 2,
    outcome: 'revoked',
  });

  // The owners' alerts name the URL and the kind of place, in the database and on their Alerts page.
  await expect.poll(async () => (await leakAlerts(a.userId)).length).toBe(1);
  const [alertA] = await leakAlerts(a.userId);
  expect(alertA).toMatchObject({ severity: 'WARNING', agent_id: a.agentId });
  expect(alertA.message).toContain(`found in public at ${urlA} (commit)`);
  expect(alertA.details).toEqual({ reporter: 'github', findings: [{ credential: 'access_token', url: urlA, source: 'commit', type: 'leash_access_token', revoked: 2 }] });
  await expect.poll(async () => (await leakAlerts(r.userId)).length).toBe(1);
  expect((await leakAlerts(r.userId))[0].message).toContain(`A refresh token of Research assistant was found in public at ${urlR} (gist content)`);
  const page = await a.context.get('/api/account/alerts');
  expect(page.status()).toBe(200);
  const listed = (await page.json()).alerts as { kind: string; message: string }[];
  expect(listed.filter((l) => l.kind.startsWith('credential_leaked:')).map((l) => l.message)).toEqual([expect.stringContaining(urlA)]);
  expect(await leakAlerts(bystander.userId)).toEqual([]);
});

test('forged, foreign, unknown-key, unsigned and malformed reports are refused and change nothing', async () => {
  const d = await session();
  const body = report([
    { token: d.token, type: 'leash_access_token' },
    { token: d.refreshToken, type: 'leash_refresh_token' },
  ]);
  const replayRecords = async () => (await testDb().query('SELECT count(*)::int AS n FROM used_scanning_signatures')).rows[0].n as number;
  const before = await replayRecords();
  const refused = async (what: string, response: Awaited<ReturnType<typeof post>>, status: number, error: string) => {
    expect(response.status(), `${what}: ${await response.text()}`).toBe(status);
    expect((await response.json()).error, what).toBe(error);
    // RFC 9110 §15.5.2: a 401 names how to authenticate.
    if (status === 401) expect(response.headers()['www-authenticate'], what).toBe('Github-Public-Key-Signature realm="leash"');
  };

  // Forged: signatures GitHub's key never made over this body.
  await refused('a signature over another body', await post(body, { 'Github-Public-Key-Identifier': github.id, 'Github-Public-Key-Signature': signature(`${body} `, github) }), 401, 'unauthenticated');
  await refused('the body changed after signing', await post(body.replaceAll('"content"', '"commit"'), signedBy(body, github)), 401, 'unauthenticated');
  await refused(
    'garbage for a signature',
    await post(body, { 'Github-Public-Key-Identifier': github.id, 'Github-Public-Key-Signature': Buffer.from('forged').toString('base64') }),
    401,
    'unauthenticated',
  );
  // Another key claiming GitHub's key id; that key under its own id, which nobody publishes.
  await refused('signed by another key', await post(body, signedBy(body, outsider, github.id)), 401, 'unauthenticated');
  await refused('an unknown key id', await post(body, signedBy(body, outsider)), 401, 'unauthenticated');
  await refused('no signature at all', await post(body, {}), 401, 'unauthenticated');
  // Signed by GitHub's key, but not a report.
  for (const malformed of ['not json', '{"token":"x","type":"t"}', '[{"type":"leash_access_token"}]', `[{"token":${JSON.stringify(d.token)}}]`, '[1]']) {
    await refused(`malformed: ${malformed}`, await post(malformed, signedBy(malformed, github)), 400, 'invalid_request');
  }
  const wrongType = await api.post(PATH, { data: Buffer.from(body), headers: { 'Content-Type': 'text/plain', 'X-Forwarded-For': uniqueIp(), ...signedBy(body, github) } });
  expect(wrongType.status()).toBe(415);

  // Nothing changed: the tokens work and refresh, no revocation, no alert, no audit row, no replay record.
  expect((await call(d.token)).status()).toBe(200);
  expect((await tokensOf(d.agentId)).every((t) => t.revoked_at === null)).toBe(true);
  expect(await leakRows(d.agentId)).toEqual([]);
  expect(await leakAlerts(d.userId)).toEqual([]);
  expect(await replayRecords()).toBe(before);
  expect((await refresh(d)).status()).toBe(200);
});

test('a report is acted on once: the same body and signature again, or its malleated twin, is a 409 that changes nothing', async () => {
  const d = await session();
  const body = report([{ token: d.token, type: 'leash_access_token' }]);
  const headers = signedBy(body, github);
  const first = await post(body, headers);
  expect(first.status()).toBe(200);
  expect((await first.json())[0].label).toBe('true_positive');
  expect((await call(d.token)).status()).toBe(401);
  await expect.poll(async () => (await leakAlerts(d.userId)).length).toBe(1);

  for (const replay of [headers, { ...headers, 'Github-Public-Key-Signature': malleate(headers['Github-Public-Key-Signature']) }]) {
    const again = await post(body, replay);
    expect(again.status(), await again.text()).toBe(409);
    expect((await again.json()).error).toBe('conflict');
  }
  expect(await leakRows(d.agentId)).toHaveLength(1);
  expect(await leakAlerts(d.userId)).toHaveLength(1);
  // A new signature over the same body is a new report (GitHub retrying): acted on, nothing left to revoke.
  const resent = await post(body, signedBy(body, github));
  expect(resent.status()).toBe(200);
  expect((await leakRows(d.agentId)).map((row) => row.details.revoked)).toEqual([2, 0]);
});

test('a leaked client secret suspends its agent and voids the secret; a leaked registration access token is voided', async () => {
  const context = await playwrightRequest.newContext({ baseURL: app.baseURL });
  const d = await delegatedToken(context, app.baseURL, 'datasets:read offline_access', {}, { registration: { token_endpoint_auth_method: 'client_secret_post' } });
  expect(d.clientSecret).toMatch(/^lsh_cs_/);
  const registered = await registerPublicAgent(api);
  const rat = registered.registration_access_token as string;
  const manage = () => api.get(`/oauth/register/${encodeURIComponent(registered.client_id)}`, { headers: { Authorization: `Bearer ${rat}` } });
  expect((await manage()).status()).toBe(200);
  expect((await call(d.token)).status()).toBe(200);

  const url = 'https://github.com/octocat/agent/blob/9a8b7c6d/deploy/values.yaml';
  const body = report([
    { token: d.clientSecret!, type: 'leash_client_secret', url, source: 'content' },
    { token: rat, type: 'leash_registration_access_token', source: 'npm' },
  ]);
  const answer = await post(body, signedBy(body, github));
  expect(answer.status()).toBe(200);
  expect((await answer.json()).map((l: { label: string }) => l.label)).toEqual(['true_positive', 'true_positive']);

  // The agent is suspended for everyone, its secret is gone, and so are its tokens.
  const { rows } = await testDb().query('SELECT status, client_secret_hash FROM agents WHERE id = $1', [d.agentId]);
  expect(rows[0]).toEqual({ status: 'SUSPENDED', client_secret_hash: null });
  expect((await call(d.token)).status()).toBe(401);
  const refreshed = await api.post('/oauth/token', { form: { grant_type: 'refresh_token', client_id: d.clientId, client_secret: d.clientSecret!, refresh_token: d.refreshToken! } });
  expect(refreshed.status()).toBe(401);
  expect((await refreshed.json()).error).toBe('invalid_client');
  expect((await leakRows(d.agentId))[0].details).toMatchObject({ credential: 'client_secret', url, outcome: 'agent_suspended', revoked: 2 });
  await expect.poll(async () => (await leakAlerts(d.userId)).length).toBe(1);
  const [alert] = await leakAlerts(d.userId);
  expect(alert.severity).toBe('CRITICAL');
  expect(alert.message).toContain(`The client secret of Research assistant was found in public at ${url} (content). Leash suspended the agent`);

  // The registration access token no longer manages the registration (RFC 7592 §2: 401).
  expect((await manage()).status()).toBe(401);
  const { rows: agent } = await testDb().query('SELECT id, status FROM agents WHERE client_id = $1', [registered.client_id]);
  expect(agent[0].status).toBe('ACTIVE');
  expect((await leakRows(agent[0].id))[0].details).toMatchObject({ credential: 'registration_access_token', source: 'npm', outcome: 'registration_token_voided' });
  await context.dispose();
});

test('a leaked API key is revoked with the tokens exchanged for it, and its owner is told where (docs/api-keys.md)', async () => {
  const d = await session();
  const made = await d.context.post(`/api/account/agents/${d.agentId}/api-keys`, { headers: { Origin: new URL(app.baseURL).origin }, data: { name: 'CI job', scopes: ['datasets:read'] } });
  expect(made.status(), await made.text()).toBe(201);
  const { key, apiKey } = (await made.json()) as { key: string; apiKey: { id: string } };
  const exchange = () =>
    api.post('/oauth/token', {
      headers: { 'X-Forwarded-For': uniqueIp() },
      form: { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: key, subject_token_type: 'urn:leash:params:oauth:token-type:api-key' },
    });
  const exchanged = await exchange();
  expect(exchanged.status(), await exchanged.text()).toBe(200);
  const minted = (await exchanged.json()).access_token as string;
  expect((await call(minted)).status()).toBe(200);

  const url = 'https://github.com/octocat/agent/blob/9a8b7c6d/.github/workflows/sync.yml';
  const body = report([{ token: key, type: 'leash_api_key', url, source: 'content' }]);
  const answer = await post(body, signedBy(body, github));
  expect(answer.status(), await answer.text()).toBe(200);
  expect(await answer.json()).toEqual([{ token_hash: sha256(key), token_type: 'leash_api_key', label: 'true_positive' }]);

  // Dead at once: the key cannot be exchanged, its token no longer calls; the agent's own OAuth token is untouched.
  expect((await call(minted)).status()).toBe(401);
  const refused = await exchange();
  expect(refused.status()).toBe(400);
  expect(await refused.json()).toMatchObject({ error: 'invalid_grant', error_description: 'The API key was revoked.' });
  expect((await call(d.token)).status()).toBe(200);
  const { rows } = await testDb().query('SELECT revoked_reason FROM api_keys WHERE id = $1', [apiKey.id]);
  expect(rows[0].revoked_reason).toBe('the API key was found in public by GitHub secret scanning');
  expect(await leakRows(d.agentId)).toEqual([
    {
      user_id: d.userId,
      token_id: null,
      decision: 'ALLOW',
      details: { credential: 'api_key', url, source: 'content', type: 'leash_api_key', reporter: 'github', revoked: 1, outcome: 'revoked' },
    },
  ]);
  await expect.poll(async () => (await leakAlerts(d.userId)).length).toBe(1);
  expect((await leakAlerts(d.userId))[0].message).toContain(`An API key of Research assistant was found in public at ${url} (content). Leash revoked it and the 1 token exchanged for it`);
});

test('reports are limited per address (429 with Retry-After) before any signature is checked', async () => {
  const ip = uniqueIp();
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await post('[]', { 'Github-Public-Key-Identifier': github.id, 'Github-Public-Key-Signature': 'AAAA' }, ip)).status());
  expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429]);
  const limited = await post('[]', signedBy('[]', github), ip);
  expect(limited.status()).toBe(429);
  expect(Number(limited.headers()['retry-after'])).toBeGreaterThan(0);
  expect((await limited.json()).error).toBe('rate_limited');
  // Another address is not affected, and an empty report is a valid one.
  const other = await post('[]', signedBy('[]', github));
  expect(other.status()).toBe(200);
  expect(await other.json()).toEqual([]);
});
