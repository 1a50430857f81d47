// The resource-server module in front of the agents' API: bearer token only from the header,
// audience, scope hierarchy, agent state, standard challenges, and an audit row for every decision.
// @see bf3d668 (Resource server, first part): the commit whose behaviour these tests guard.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { changeSeen, testDb } from '../support/db';
import { basic, clientCredentialsToken, registerMachineClient } from '../support/oauth';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function agentToken(request: APIRequestContext, form: Record<string, string> = {}) {
  const client = await registerMachineClient(request);
  return { client, token: await clientCredentialsToken(request, client, form) };
}

async function auditFor(requestId: string) {
  const { rows } = await testDb().query('SELECT action, decision, reason, token_id FROM audit_events WHERE request_id = $1', [requestId]);
  return rows;
}

test('a valid token with the scope gets the data; the call is audited as ALLOW', async ({ request }) => {
  const { token } = await agentToken(request, { scope: 'datasets:read' });
  const response = await request.get('/api/v1/datasets', { headers: bearer(token) });
  expect(response.status()).toBe(200);
  expect((await response.json()).datasets.map((d: { id: string }) => d.id)).toContain('ds_sales_2026');
  const audit = await auditFor(response.headers()['x-request-id']!);
  expect(audit).toEqual([{ action: 'datasets.list', decision: 'ALLOW', reason: 'policy v0 permit:datasets.list: list datasets is allowed (allow)', token_id: expect.any(String) }]);
  // The last use is written behind the request, within about a second (lib/tokens/note-token-use.ts).
  await expect
    .poll(async () => (await testDb().query('SELECT last_used_at IS NOT NULL AS used, last_used_ip FROM tokens WHERE id = $1', [audit[0].token_id])).rows[0])
    .toEqual({ used: true, last_used_ip: expect.any(String) });
});

test('no token: 401 with the resource metadata pointer, the scope to ask for and no error code (RFC 6750 §3, RFC 9728 §5.1)', async ({ request, baseURL }) => {
  const response = await request.get('/api/v1/datasets');
  expect(response.status()).toBe(401);
  expect(response.headers()['www-authenticate']).toBe(`Bearer realm="leash", resource_metadata="${baseURL}/.well-known/oauth-protected-resource/api", scope="datasets:read"`);
  expect(await auditFor(response.headers()['x-request-id']!)).toEqual([{ action: 'datasets.list', decision: 'DENY', reason: 'no bearer token', token_id: null }]);
});

test('a token in the query string is never read', async ({ request }) => {
  const { token } = await agentToken(request, { scope: 'datasets:read' });
  const response = await request.get(`/api/v1/datasets?access_token=${token}`);
  expect(response.status()).toBe(401);
});

test('unknown, forged, revoked and expired tokens are 401 invalid_token', async ({ request }) => {
  const { client, token } = await agentToken(request, { scope: 'datasets:read' });
  const check = async (value: string, description: string) => {
    const response = await request.get('/api/v1/datasets', { headers: bearer(value) });
    expect(response.status()).toBe(401);
    expect(response.headers()['www-authenticate']).toContain('error="invalid_token"');
    expect(await response.json()).toEqual({ error: 'invalid_token', error_description: description });
  };
  await check('lsh_at_nonsense', 'The access token is unknown.');
  await check(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'), 'The access token is unknown.');

  // Revocation takes effect on the very next call.
  const revoked = await request.post('/oauth/revoke', { headers: { Authorization: basic(client.client_id, client.client_secret!) }, form: { token } });
  expect(revoked.status()).toBe(200);
  await check(token, 'The access token was revoked.');

  const other = await agentToken(request, { scope: 'datasets:read' });
  await changeSeen("UPDATE tokens SET expires_at = now() - interval '1 second' WHERE agent_id = (SELECT id FROM agents WHERE client_id = $1) RETURNING id AS cache_key", [other.client.client_id]);
  // Made behind the app's back (as by another instance): applied once the app hears of it.
  await expect.poll(async () => (await request.get('/api/v1/datasets', { headers: bearer(other.token) })).status()).toBe(401);
  await check(other.token, 'The access token has expired.');
});

test('a token for another resource is refused (audience, RFC 8707)', async ({ request, baseURL }) => {
  const { token } = await agentToken(request, { scope: 'datasets:read', resource: `${baseURL}/mcp` });
  const response = await request.get('/api/v1/datasets', { headers: bearer(token) });
  expect(response.status()).toBe(401);
  expect((await response.json()).error_description).toBe('The access token is not for this resource.');
});

test('missing scope is 403 insufficient_scope naming what is needed; reports:write implies reports:read', async ({ request }) => {
  const { token } = await agentToken(request, { scope: 'reports:write' });
  const denied = await request.get('/api/v1/datasets', { headers: bearer(token) });
  expect(denied.status()).toBe(403);
  expect(denied.headers()['www-authenticate']).toContain('error="insufficient_scope"');
  expect(denied.headers()['www-authenticate']).toContain('scope="datasets:read"');
  expect(await denied.json()).toEqual({ error: 'insufficient_scope', error_description: 'This operation needs: datasets:read.', scope: 'datasets:read' });
  expect((await auditFor(denied.headers()['x-request-id']!))[0]).toMatchObject({ decision: 'DENY', reason: 'missing scope (needs datasets:read)' });

  // reports:write passes the reports:read check; the next step refuses a token no user delegated.
  const implied = await request.get('/api/v1/reports', { headers: bearer(token) });
  expect(implied.status()).toBe(403);
  expect((await implied.json()).error).toBe('access_denied');
  expect((await auditFor(implied.headers()['x-request-id']!))[0]).toMatchObject({ decision: 'DENY', reason: 'needs a user-delegated token' });
});

test('a suspended agent is refused at once, even with an unexpired token', async ({ request }) => {
  const { client, token } = await agentToken(request, { scope: 'datasets:read' });
  expect((await request.get('/api/v1/datasets', { headers: bearer(token) })).status()).toBe(200);
  await changeSeen("UPDATE agents SET status = 'SUSPENDED' WHERE client_id = $1 RETURNING id AS cache_key", [client.client_id]);
  // Made behind the app's back (as by another instance): applied once the app hears of it.
  await expect.poll(async () => (await request.get('/api/v1/datasets', { headers: bearer(token) })).status()).toBe(401);
  const response = await request.get('/api/v1/datasets', { headers: bearer(token) });
  expect(response.status()).toBe(401);
  expect((await response.json()).error_description).toBe('The agent is suspended.');
});

test('a malformed Authorization header is invalid_request', async ({ request }) => {
  const response = await request.get('/api/v1/datasets', { headers: { Authorization: 'Bearer' } });
  expect(response.status()).toBe(401);
  expect((await response.json()).error).toBe('invalid_request');
});

test('protected resource metadata (RFC 9728) names the authorization server', async ({ request, baseURL }) => {
  for (const resource of ['api', 'mcp']) {
    const response = await request.get(`/.well-known/oauth-protected-resource/${resource}`);
    expect(response.status()).toBe(200);
    expect(await response.json()).toMatchObject({
      resource: `${baseURL}/${resource}`,
      authorization_servers: [baseURL],
      bearer_methods_supported: ['header'],
      scopes_supported: expect.arrayContaining(['datasets:read', 'payments:write']),
    });
  }
  expect((await request.get('/.well-known/oauth-protected-resource/other')).status()).toBe(404);
});
