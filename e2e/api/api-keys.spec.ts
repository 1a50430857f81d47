// Agents' API keys (issue 15 §4, docs/api-keys.md): a person makes a key for an agent they
// connected (the dashboard's JSON API, with their session); the agent exchanges it at the token
// endpoint (RFC 8693, subject_token_type urn:leash:params:oauth:token-type:api-key, no client
// authentication needed) for the usual short-lived access token, which acts for that person and
// names the key in its audit row. The key itself is never accepted by /api or /mcp; an expired,
// revoked, foreign or out-of-range key, a stopped or disconnected agent get invalid_grant; revoking
// or rotating a key, the agent's access or everything kills the tokens exchanged for it.
import crypto from 'node:crypto';
import { expect, test, type APIRequestContext, type APIResponse } from '@playwright/test';
import { sameOrigin, uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken, setPolicy, type Delegation } from '../support/delegation';
import { basic, registerMachineClient, registerPublicAgent } from '../support/oauth';
import { ACCESS, TOKEN_EXCHANGE } from '../support/token-exchange';

const API_KEY = 'urn:leash:params:oauth:token-type:api-key';
const KEY_SHAPE = /^lsh_ak_[0-9A-Za-z]{49}$/;
const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');

/** A person (the request's session) who connected an agent through the code flow. */
const connected = (request: APIRequestContext, baseURL: string, scope = 'datasets:read reports:read') => delegatedToken(request, baseURL, scope);

async function createKey(request: APIRequestContext, baseURL: string, agentId: string, body: Record<string, unknown>): Promise<APIResponse> {
  return request.post(`/api/account/agents/${agentId}/api-keys`, { headers: sameOrigin(baseURL), data: { name: 'Nightly sync', scopes: ['datasets:read'], ...body } });
}

async function newKey(request: APIRequestContext, baseURL: string, agentId: string, body: Record<string, unknown> = {}) {
  const response = await createKey(request, baseURL, agentId, body);
  expect(response.status(), await response.text()).toBe(201);
  const json = await response.json();
  expect(json.key).toMatch(KEY_SHAPE);
  return { key: json.key as string, id: json.apiKey.id as string, listed: json.apiKey };
}

/** The exchange as a static-key agent makes it: the key alone, no client authentication. */
function exchangeKey(request: APIRequestContext, key: string, options: { ip?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}) {
  return request.post('/oauth/token', {
    headers: { 'X-Forwarded-For': options.ip ?? uniqueIp(), ...options.headers },
    form: { grant_type: TOKEN_EXCHANGE, subject_token: key, subject_token_type: API_KEY, ...options.form },
  });
}

async function exchangedToken(request: APIRequestContext, key: string, options: Parameters<typeof exchangeKey>[2] = {}): Promise<string> {
  const response = await exchangeKey(request, key, options);
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()).access_token;
}

async function expectRefused(response: APIResponse, description: RegExp, error = 'invalid_grant') {
  expect(response.status(), await response.text()).toBe(400);
  const body = await response.json();
  expect(body.error).toBe(error);
  expect(body.error_description).toMatch(description);
  expect(response.headers()['cache-control']).toBe('no-store');
}

const datasets = (request: APIRequestContext, token: string) => request.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${token}` } });

async function tokenCount(apiKeyId: string): Promise<number> {
  const { rows } = await testDb().query('SELECT count(*)::int AS n FROM tokens WHERE api_key_id = $1', [apiKeyId]);
  return rows[0].n;
}

async function refusalRows(apiKeyId: string) {
  const { rows } = await testDb().query("SELECT decision, reason, details FROM audit_events WHERE action = 'token.exchange' AND details->>'api_key' = $1 ORDER BY id", [apiKeyId]);
  return rows as { decision: string; reason: string; details: { error: string; api_key: string } }[];
}

test('a key made for a connected agent is shown once, stored hashed, and exchanged with no client authentication for a short-lived token that names it', async ({ request, baseURL }) => {
  const d = await connected(request, baseURL!);
  const { key, id, listed } = await newKey(request, baseURL!, d.agentId, { name: 'Nightly sync', scopes: ['datasets:read'], expiresInDays: 30 });
  expect(listed).toMatchObject({ name: 'Nightly sync', scopes: ['datasets:read'], ipRanges: [], status: 'active', lastUsedAt: null, hint: key.slice(0, 11) });
  expect(new Date(listed.expiresAt).getTime() - Date.now()).toBeGreaterThan(29.9 * 86_400_000);
  expect(new Date(listed.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);
  // Stored as its SHA-256 only, with the person and the agent; the creation is audited.
  const stored = await testDb().query('SELECT * FROM api_keys WHERE id = $1', [id]);
  expect(stored.rows[0]).toMatchObject({ user_id: d.userId, agent_id: d.agentId, key_hash: sha256(key), revoked_at: null });
  expect(JSON.stringify(stored.rows[0])).not.toContain(key.slice(7));
  const created = await testDb().query("SELECT user_id, agent_id, decision, scopes, details FROM audit_events WHERE action = 'api_key.create' AND details->>'api_key' = $1", [id]);
  expect(created.rows).toEqual([
    { user_id: d.userId, agent_id: d.agentId, decision: 'ALLOW', scopes: ['datasets:read'], details: { api_key: id, name: 'Nightly sync', expires_at: listed.expiresAt, ip_ranges: [] } },
  ]);
  // The list never shows the key again.
  const list = await request.get(`/api/account/agents/${d.agentId}/api-keys`);
  expect(list.status()).toBe(200);
  expect(JSON.stringify(await list.json())).not.toContain(key);

  const ip = uniqueIp();
  const response = await exchangeKey(request, key, { ip });
  expect(response.status(), await response.text()).toBe(200);
  const body = await response.json();
  expect(body).toEqual({ access_token: expect.stringMatching(/^lsh_at_/), issued_token_type: ACCESS, token_type: 'Bearer', expires_in: 600, scope: 'datasets:read' });
  expect(response.headers()['cache-control']).toBe('no-store');
  const call = await datasets(request, body.access_token);
  expect(call.status(), await call.text()).toBe(200);
  // The key's scopes bound the token: reports:read is the person's grant's, not the key's.
  expect((await request.get('/api/v1/reports', { headers: { Authorization: `Bearer ${body.access_token}` } })).status()).toBe(403);

  // The token acts for the person, as the agent, under their grant, and records the key; its issuance row names the key.
  const token = await testDb().query('SELECT id, user_id, agent_id, grant_id, api_key_id, scopes, audience FROM tokens WHERE token_hash = $1', [sha256(body.access_token)]);
  expect(token.rows[0]).toMatchObject({ user_id: d.userId, agent_id: d.agentId, api_key_id: id, scopes: ['datasets:read'], audience: [`${baseURL}/api`] });
  expect(token.rows[0].grant_id).toBeTruthy();
  const issued = await testDb().query("SELECT user_id, agent_id, decision, ip, details FROM audit_events WHERE action = 'token.issue' AND token_id = $1", [token.rows[0].id]);
  expect(issued.rows).toEqual([{ user_id: d.userId, agent_id: d.agentId, decision: 'ALLOW', ip, details: expect.objectContaining({ grant_type: 'token_exchange', kind: 'ACCESS', api_key: id }) }]);
  const { rows } = await testDb().query('SELECT last_used_at, last_used_ip FROM api_keys WHERE id = $1', [id]);
  expect(rows[0].last_used_ip).toBe(ip);
  expect(rows[0].last_used_at).not.toBeNull();

  // The agent may also authenticate (here: its client_id, a public client) and narrow the scope;
  // it gets no refresh token, and a scope beyond the key is invalid_scope.
  const narrowed = await exchangeKey(request, key, { form: { client_id: d.clientId, scope: 'datasets:read', resource: `${baseURL}/mcp` } });
  expect(narrowed.status(), await narrowed.text()).toBe(200);
  expect(await narrowed.json()).toMatchObject({ scope: 'datasets:read', issued_token_type: ACCESS });
  expect((await narrowed.json()).refresh_token).toBeUndefined();
  await expectRefused(await exchangeKey(request, key, { form: { scope: 'reports:read' } }), /does not cover: reports:read/, 'invalid_scope');
  await expectRefused(await exchangeKey(request, key, { form: { resource: 'https://unknown.example/api' } }), /Unknown resource/, 'invalid_target');
  expect(await tokenCount(id)).toBe(2);
});

test('the key itself is no token: /api/v1 and /mcp answer 401 invalid_token, introspection says inactive', async ({ request, baseURL }) => {
  const d = await connected(request, baseURL!);
  const { key } = await newKey(request, baseURL!, d.agentId);
  const direct = await datasets(request, key);
  expect(direct.status()).toBe(401);
  expect(direct.headers()['www-authenticate']).toContain('error="invalid_token"');
  const mcp = await request.post('/mcp', {
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    data: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
  });
  expect(mcp.status()).toBe(401);
  expect(mcp.headers()['www-authenticate']).toContain('error="invalid_token"');
  // No call was allowed with it: no ALLOW row for this person and agent.
  const allowed = await testDb().query("SELECT count(*)::int AS n FROM audit_events WHERE user_id = $1 AND agent_id = $2 AND decision = 'ALLOW' AND action IN ('datasets.list', 'mcp.request')", [
    d.userId,
    d.agentId,
  ]);
  expect(allowed.rows[0].n).toBe(0);
  const machine = await registerMachineClient(request);
  const introspection = await request.post('/oauth/introspect', { headers: { Authorization: basic(machine.client_id, machine.client_secret!) }, form: { token: key } });
  expect(introspection.status()).toBe(200);
  expect(await introspection.json()).toEqual({ active: false });
});

test('a malformed, unknown, expired or foreign key, or one used outside its address ranges, is invalid_grant, audited, and issues nothing', async ({ request, baseURL }) => {
  const d = await connected(request, baseURL!);
  const { key, id } = await newKey(request, baseURL!, d.agentId, { ipRanges: ['192.0.2.0/24', '2001:DB8::/32'] });
  const inside = '192.0.2.77';

  // Garbage, a bad checksum, and a well-formed key no server issued.
  const i = 20;
  const badChecksum = key.slice(0, i) + (key[i] === 'a' ? 'b' : 'a') + key.slice(i + 1);
  for (const bad of ['lsh_ak_nope', badChecksum, 'not a key at all', '']) {
    const response = await exchangeKey(request, bad);
    if (bad === '') {
      await expectRefused(response, /subject_token and subject_token_type are required/, 'invalid_request');
    } else {
      await expectRefused(response, /The API key is not valid/);
    }
  }

  // Outside the ranges (the client address as the app reads it, X-Forwarded-For through one trusted proxy).
  const outside = uniqueIp();
  await expectRefused(await exchangeKey(request, key, { ip: outside }), new RegExp(`may not be used from this address \\(${outside.replace(/\./g, '\\.')}\\)`));
  expect(await exchangedToken(request, key, { ip: inside })).toMatch(/^lsh_at_/);
  expect(await exchangedToken(request, key, { ip: '2001:db8:5::9' })).toMatch(/^lsh_at_/);

  // Another agent may not exchange it, even with its own client_id.
  const other = await registerPublicAgent(request);
  await expectRefused(await exchangeKey(request, key, { ip: inside, form: { client_id: other.client_id } }), /not issued to this client/);
  // An actor token does not go with a key.
  await expectRefused(await exchangeKey(request, key, { ip: inside, form: { actor_token: d.token, actor_token_type: ACCESS } }), /actor_token is not allowed/, 'invalid_request');

  // Expired (its date moved into the past, as time would).
  await testDb().query("UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = $1", [id]);
  await expectRefused(await exchangeKey(request, key, { ip: inside }), /expired/);
  const listed = (await (await request.get(`/api/account/agents/${d.agentId}/api-keys`)).json()).keys;
  expect(listed.find((k: { id: string }) => k.id === id).status).toBe('expired');

  expect(await tokenCount(id)).toBe(2);
  const refusals = await refusalRows(id);
  expect(refusals.map((r) => [r.decision, r.details.error, r.reason])).toEqual([
    ['DENY', 'invalid_grant', `API key exchange refused: request from ${outside}, outside the key's address ranges`],
    ['DENY', 'invalid_grant', `API key exchange refused: presented by another client (${other.client_id})`],
    ['DENY', 'invalid_grant', 'API key exchange refused: the key has expired'],
  ]);
});

test('making a key: an expiry over 90 days, scopes beyond the policy, offline_access or a bad range is a 400 naming the field, and nothing is stored', async ({ request, baseURL }) => {
  const d = await connected(request, baseURL!);
  await setPolicy(d, { scopeCeiling: ['datasets:read', 'offline_access'] });
  const refused = async (body: Record<string, unknown>, field: string, message: RegExp) => {
    const response = await createKey(request, baseURL!, d.agentId, body);
    expect(response.status(), await response.text()).toBe(400);
    const json = await response.json();
    expect(json.error).toBe('invalid_request');
    expect(Object.keys(json.field_errors)).toEqual([field]);
    expect(json.field_errors[field].join(' ')).toMatch(message);
  };
  await refused({ expiresInDays: 91 }, 'expiresInDays', /At most 90 days/);
  await refused({ expiresInDays: 0 }, 'expiresInDays', /At least 1 day/);
  await refused({ expiresInDays: 2.5 }, 'expiresInDays', /whole number/);
  await refused({ scopes: ['reports:write'] }, 'scopes', /does not allow: reports:write/);
  await refused({ scopes: ['offline_access'] }, 'scopes', /does not allow: offline_access/);
  await refused({ scopes: ['no:such-scope'] }, 'scopes', /does not allow: no:such-scope/);
  await refused({ scopes: [] }, 'scopes', /at least one/);
  await refused({ ipRanges: ['10.0.0.0/8', 'nope', '10.0.0.0/33'] }, 'ipRanges', /nope, 10\.0\.0\.0\/33/);
  await refused({ name: ' ' }, 'name', /name/);
  const { rows } = await testDb().query('SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1', [d.userId]);
  expect(rows[0].n).toBe(0);
  // Another agent, or no agent: not found.
  const stranger = await request.post(`/api/account/agents/${crypto.randomUUID()}/api-keys`, { headers: sameOrigin(baseURL), data: { name: 'x', scopes: ['datasets:read'] } });
  expect(stranger.status()).toBe(404);
  // The default expiry is 30 days.
  const made = await newKey(request, baseURL!, d.agentId, { expiresInDays: undefined });
  expect(Math.round((new Date(made.listed.expiresAt).getTime() - Date.now()) / 86_400_000)).toBe(30);
});

test('the kill switch blocks the key and kills its tokens; resume unblocks it; revoking the agent’s access revokes it', async ({ request, baseURL }) => {
  const d = await connected(request, baseURL!);
  const { key, id } = await newKey(request, baseURL!, d.agentId);
  const before = await exchangedToken(request, key);
  expect((await datasets(request, before)).status()).toBe(200);

  expect((await request.post(`/api/account/agents/${d.agentId}/suspend`, { headers: sameOrigin(baseURL) })).status()).toBe(200);
  expect((await datasets(request, before)).status()).toBe(401);
  await expectRefused(await exchangeKey(request, key), /stopped this agent/);
  const listed = (await (await request.get(`/api/account/agents/${d.agentId}/api-keys`)).json()).keys;
  expect(listed[0]).toMatchObject({ id, status: 'blocked' });

  expect((await request.post(`/api/account/agents/${d.agentId}/resume`, { headers: sameOrigin(baseURL) })).status()).toBe(200);
  const after = await exchangedToken(request, key);
  expect((await datasets(request, after)).status()).toBe(200);

  const revoked = await request.post(`/api/account/agents/${d.agentId}/revoke-access`, { headers: sameOrigin(baseURL) });
  expect(revoked.status()).toBe(200);
  expect((await datasets(request, after)).status()).toBe(401);
  const { rows } = await testDb().query('SELECT revoked_at, revoked_reason FROM api_keys WHERE id = $1', [id]);
  expect(rows[0].revoked_at).not.toBeNull();
  expect(rows[0].revoked_reason).toBe('the user revoked the agent’s access');
  await expectRefused(await exchangeKey(request, key), /revoked/);
  const audit = await testDb().query("SELECT details FROM audit_events WHERE action = 'grant.revoke' AND user_id = $1 AND agent_id = $2", [d.userId, d.agentId]);
  expect(audit.rows[0].details).toMatchObject({ revokedApiKeys: 1 });
});

test('revoking or rotating a key kills the tokens exchanged for it; the new key works; revoke-all ends every key', async ({ request, baseURL }) => {
  const d: Delegation = await connected(request, baseURL!);
  const first = await newKey(request, baseURL!, d.agentId, { name: 'CI', ipRanges: ['0.0.0.0/0'], expiresInDays: 10 });
  const firstToken = await exchangedToken(request, first.key);

  const rotated = await request.post(`/api/account/api-keys/${first.id}/rotate`, { headers: sameOrigin(baseURL), data: {} });
  expect(rotated.status(), await rotated.text()).toBe(201);
  const second = await rotated.json();
  expect(second.key).toMatch(KEY_SHAPE);
  expect(second.key).not.toBe(first.key);
  expect(second.apiKey).toMatchObject({ name: 'CI', scopes: ['datasets:read'], ipRanges: ['0.0.0.0/0'], status: 'active' });
  expect(Math.round((new Date(second.apiKey.expiresAt).getTime() - Date.now()) / 86_400_000)).toBe(10);
  expect((await datasets(request, firstToken)).status()).toBe(401);
  await expectRefused(await exchangeKey(request, first.key), /revoked/);
  const secondToken = await exchangedToken(request, second.key);
  expect((await datasets(request, secondToken)).status()).toBe(200);
  const rotation = await testDb().query("SELECT details FROM audit_events WHERE action = 'api_key.rotate' AND user_id = $1", [d.userId]);
  expect(rotation.rows).toEqual([{ details: { api_key: second.apiKey.id, replaced: first.id, expires_at: second.apiKey.expiresAt, revokedTokens: 1 } }]);
  // A revoked key cannot be rotated again.
  expect((await request.post(`/api/account/api-keys/${first.id}/rotate`, { headers: sameOrigin(baseURL), data: {} })).status()).toBe(409);

  const revoke = await request.post(`/api/account/api-keys/${second.apiKey.id}/revoke`, { headers: sameOrigin(baseURL) });
  expect(revoke.status()).toBe(200);
  expect(await revoke.json()).toEqual({ revoked: true, revokedTokens: 1 });
  expect((await datasets(request, secondToken)).status()).toBe(401);
  await expectRefused(await exchangeKey(request, second.key), /revoked/);
  const revocation = await testDb().query("SELECT details FROM audit_events WHERE action = 'api_key.revoke' AND user_id = $1", [d.userId]);
  expect(revocation.rows).toEqual([{ details: { api_key: second.apiKey.id, revokedTokens: 1 } }]);
  const { rows } = await testDb().query('SELECT revoked_reason FROM tokens WHERE api_key_id = ANY($1::uuid[]) ORDER BY created_at', [[first.id, second.apiKey.id]]);
  expect(rows.map((r) => r.revoked_reason)).toEqual(['rotated: replaced by a new key', 'revoked by the user']);

  // Someone else's key: not found, and it keeps working.
  const third = await newKey(request, baseURL!, d.agentId, { name: 'Last' });
  const thirdToken = await exchangedToken(request, third.key);
  expect((await request.post(`/api/account/api-keys/${crypto.randomUUID()}/revoke`, { headers: sameOrigin(baseURL) })).status()).toBe(404);
  // "Revoke everything" on the Tokens screen ends the keys too.
  const all = await request.post('/api/account/tokens/revoke-all', { headers: sameOrigin(baseURL), data: { confirm: 'revoke everything' } });
  expect(all.status()).toBe(200);
  expect(await all.json()).toMatchObject({ apiKeys: 1 });
  expect((await datasets(request, thirdToken)).status()).toBe(401);
  await expectRefused(await exchangeKey(request, third.key), /revoked/);
});
