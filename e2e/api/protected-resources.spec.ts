// Protected resources are first-class (issue 14 §1, §2): an administrator registers an API with its
// scopes and credentials; Leash publishes its RFC 9728 metadata, issues tokens whose audience is
// exactly that API (RFC 8707), refuses unknown ones (invalid_target), and lets the API's own
// credentials introspect the tokens for it, and only those (RFC 7662 §2.2).
import crypto from 'node:crypto';
import { expect, request as playwrightRequest, test, type APIRequestContext } from '@playwright/test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createAccount, sameOrigin, signInOverHttp, TEST_PASSWORD, uniqueEmail, uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { basic, clientCredentialsToken, registerMachineClient } from '../support/oauth';
import { adminContext, ordersApi, registerResource, uniqueWord } from '../support/resources';
import { spawnServer } from '../support/spawn-server';
import { findFreePort } from '../../scripts/lib/embedded-pg';

let admin: APIRequestContext;

test.beforeAll(async ({ baseURL }) => {
  admin = await adminContext(baseURL!);
});

test.afterAll(async () => {
  await admin.dispose();
});

const introspect = (request: APIRequestContext, clientId: string, secret: string, token: string) =>
  request.post('/oauth/introspect', { headers: { Authorization: basic(clientId, secret) }, form: { token } });

test.describe('registering a protected resource', () => {
  test('an administrator registers an API: 201 with its credentials once, the hash stored, the change audited, the metadata published', async ({ request, baseURL }) => {
    const input = ordersApi({ description: 'Orders of the shop', tokenFormat: 'opaque' });
    const response = await admin.post('/api/admin/resources', { data: input });
    expect(response.status(), await response.text()).toBe(201);
    expect(response.headers()['cache-control']).toBe('no-store');
    const body = await response.json();
    expect(body.client_id).toMatch(/^rs_[A-Za-z0-9_-]{22}$/);
    expect(body.client_secret).toMatch(/^lsh_cs_/);
    expect(body.resource).toMatchObject({
      identifier: input.identifier,
      name: 'Orders API',
      tokenFormat: 'opaque',
      authMethod: 'client_secret_basic',
      builtIn: false,
      scopes: input.scopes,
      actions: input.actions,
    });

    const { rows } = await testDb().query('SELECT client_secret_hash, client_id, token_format FROM protected_resources WHERE identifier = $1', [input.identifier]);
    expect(rows).toHaveLength(1);
    expect(rows[0].client_secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].client_secret_hash).not.toContain(body.client_secret);
    const audit = await testDb().query("SELECT decision, details FROM audit_events WHERE action = 'resource.register' AND resource = $1", [input.identifier]);
    expect(audit.rows).toEqual([{ decision: 'ALLOW', details: { identifier: input.identifier, scopes: input.scopes.map((s) => s.name), tokenFormat: 'opaque', authMethod: 'client_secret_basic' } }]);

    // The list shows it, never the secret.
    const list = await (await admin.get('/api/admin/resources')).json();
    const listed = list.resources.find((r: { identifier: string }) => r.identifier === input.identifier);
    expect(listed).toMatchObject({ clientId: body.client_id, metadataUrl: `${baseURL}/.well-known/oauth-protected-resource/${body.resource.id}` });
    expect(JSON.stringify(list)).not.toContain(body.client_secret);
    // Leash's own two are rows too, first.
    expect(list.resources.slice(0, 2).map((r: { identifier: string; builtIn: boolean }) => [r.identifier, r.builtIn])).toEqual([
      [`${baseURL}/api`, true],
      [`${baseURL}/mcp`, true],
    ]);

    // RFC 9728 §2: the document the API serves on its own host (the kit fetches it from here).
    const metadata = await request.get(`/.well-known/oauth-protected-resource/${body.resource.id}`);
    expect(metadata.status()).toBe(200);
    expect(await metadata.json()).toEqual({
      resource: input.identifier,
      authorization_servers: [baseURL],
      scopes_supported: input.scopes.map((s) => s.name),
      bearer_methods_supported: ['header'],
      dpop_signing_alg_values_supported: expect.arrayContaining(['ES256']),
      resource_name: 'Orders API',
    });
  });

  test('bad registrations get a clear error naming the field and store nothing', async () => {
    const before = (await testDb().query('SELECT count(*)::int AS n FROM protected_resources')).rows[0].n;
    const existing = await registerResource(admin);
    const cases: [Record<string, unknown>, number, string, string][] = [
      [{ identifier: 'ftp://files.example.com' }, 400, 'identifier', 'must be an https URL'],
      [{ identifier: 'http://orders.example.com/api' }, 400, 'identifier', 'must be an https URL'],
      [{ identifier: 'https://orders.example.com/api#x' }, 400, 'identifier', 'fragment'],
      [{ identifier: 'not a url' }, 400, 'identifier', 'absolute URL'],
      [{ identifier: existing.identifier }, 409, 'identifier', 'already registered'],
      [{ scopes: [{ name: 'reports:read', description: 'Mine now', risk: 'low' }], actions: [] }, 409, 'scopes', "one of Leash's own scopes"],
      [{ scopes: [{ name: existing.scopes[0], description: 'Also mine', risk: 'low' }], actions: [] }, 409, 'scopes', 'already defined by Orders API'],
      [{ scopes: [{ name: 'Read Everything', description: 'x', risk: 'low' }], actions: [] }, 400, 'scopes', 'area:verb'],
      [{ scopes: [] }, 400, 'scopes', 'at least one scope'],
      [{ actions: [{ name: 'notes.delete', scope: 'notes:nope', risk: 'high', description: 'Delete' }] }, 400, 'actions', 'not one of this API'],
      [{ authMethod: 'private_key_jwt' }, 400, 'jwks', 'needs the public keys'],
      [{ authMethod: 'private_key_jwt', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'secret' }] } }, 400, 'jwks', 'public keys only'],
      [{ tokenFormat: 'saml' }, 400, 'tokenFormat', ''],
    ];
    for (const [change, status, field, words] of cases) {
      const response = await admin.post('/api/admin/resources', { data: { ...ordersApi(), ...change } });
      expect(response.status(), JSON.stringify(change)).toBe(status);
      const body = await response.json();
      expect(body.error).toBe(status === 409 ? 'conflict' : 'invalid_request');
      expect(body.field_errors?.[field]?.join(' ') ?? '', JSON.stringify(body)).toContain(words);
    }
    expect((await testDb().query('SELECT count(*)::int AS n FROM protected_resources')).rows[0].n).toBe(before + 1);
  });

  test('only administrators: 401 signed out, 403 for a member; Leash’s own resources cannot be removed', async ({ baseURL, request }) => {
    expect((await request.post('/api/admin/resources', { headers: sameOrigin(baseURL), data: ordersApi() })).status()).toBe(401);
    const member = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: sameOrigin(baseURL) });
    const account = await createAccount(member, baseURL, { email: uniqueEmail('member'), password: TEST_PASSWORD });
    expect((await signInOverHttp(member, baseURL, account, uniqueIp())).error).toBeNull();
    const refused = await member.post('/api/admin/resources', { data: ordersApi() });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error).toBe('forbidden');
    expect((await member.get('/api/admin/resources')).status()).toBe(403);
    await member.dispose();

    const own = (await (await admin.get('/api/admin/resources')).json()).resources.find((r: { builtIn: boolean }) => r.builtIn);
    const removal = await admin.delete(`/api/admin/resources/${own.id}`);
    expect(removal.status()).toBe(403);
    expect((await admin.post(`/api/admin/resources/${own.id}/secret`)).status()).toBe(403);
    expect((await admin.delete('/api/admin/resources/00000000-0000-0000-0000-000000000000')).status()).toBe(404);
  });
});

test.describe('tokens for a registered resource', () => {
  test('resource= gives a token for exactly that API; its own credentials introspect it, with the grant-independent facts and the policy version', async ({ request, baseURL }) => {
    const api = await registerResource(admin);
    const [read, write] = api.scopes;
    // An agent registers (DCR) with the API's scope like any of Leash's own.
    const agent = await registerMachineClient(request, { scope: `${read} ${write} reports:read` });
    const token = await clientCredentialsToken(request, agent, { scope: read!, resource: api.identifier });

    const answer = await introspect(request, api.clientId, api.clientSecret!, token);
    expect(answer.status()).toBe(200);
    expect(await answer.json()).toEqual({
      active: true,
      iss: baseURL,
      jti: expect.any(String),
      token_type: 'Bearer',
      client_id: agent.client_id,
      sub: agent.client_id,
      client_type: 'ai-agent',
      scope: read,
      aud: api.identifier,
      iat: expect.any(Number),
      exp: expect.any(Number),
      policy_version: 0,
    });

    // A token for Leash's own API is none of this API's business (RFC 7662 §2.2), nor is another API's.
    const ownApiToken = await clientCredentialsToken(request, agent, { scope: 'reports:read' });
    expect(await (await introspect(request, api.clientId, api.clientSecret!, ownApiToken)).json()).toEqual({ active: false });
    const other = await registerResource(admin);
    expect(await (await introspect(request, other.clientId, other.clientSecret!, token)).json()).toEqual({ active: false });
    // The agent still learns about its own tokens.
    expect((await (await introspect(request, agent.client_id, agent.client_secret!, token)).json()).active).toBe(true);

    // Revoked (RFC 7009) → inactive for the API at once.
    const revoked = await request.post('/oauth/revoke', { headers: { Authorization: basic(agent.client_id, agent.client_secret!) }, form: { token } });
    expect(revoked.status()).toBe(200);
    expect(await (await introspect(request, api.clientId, api.clientSecret!, token)).json()).toEqual({ active: false });
  });

  test('unknown resources are invalid_target; a resource server’s credentials are not a client’s', async ({ request }) => {
    const api = await registerResource(admin);
    const agent = await registerMachineClient(request, { scope: api.scopes.join(' ') });
    const unknown = await request.post('/oauth/token', {
      headers: { Authorization: basic(agent.client_id, agent.client_secret!) },
      form: { grant_type: 'client_credentials', scope: api.scopes[0]!, resource: `https://${uniqueWord('nowhere')}.example.com/api` },
    });
    expect(unknown.status()).toBe(400);
    expect((await unknown.json()).error).toBe('invalid_target');

    // The API cannot get tokens with its credentials, nor introspect with a wrong secret.
    const asClient = await request.post('/oauth/token', { headers: { Authorization: basic(api.clientId, api.clientSecret!) }, form: { grant_type: 'client_credentials' } });
    expect(asClient.status()).toBe(401);
    expect((await asClient.json()).error).toBe('invalid_client');
    // The secret with its last character changed (to another one: a secret ending in "x" once made this the right secret).
    const secret = api.clientSecret!;
    const wrong = await introspect(request, api.clientId, `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`, 'lsh_at_x');
    expect(wrong.status()).toBe(401);
    expect((await wrong.json()).error).toBe('invalid_client');
    expect(wrong.headers()['www-authenticate']).toContain('Basic');
    const unknownServer = await introspect(request, 'rs_doesnotexist', 'lsh_cs_x', 'lsh_at_x');
    expect(unknownServer.status()).toBe(401);
  });

  test('a new secret replaces the old one at once; removing the API revokes its tokens and forgets it everywhere', async ({ request }) => {
    const api = await registerResource(admin);
    const agent = await registerMachineClient(request, { scope: api.scopes.join(' ') });
    const token = await clientCredentialsToken(request, agent, { scope: api.scopes[0]!, resource: api.identifier });

    const rotated = await admin.post(`/api/admin/resources/${api.id}/secret`);
    expect(rotated.status()).toBe(200);
    const { client_secret: fresh } = await rotated.json();
    expect((await introspect(request, api.clientId, api.clientSecret!, token)).status()).toBe(401);
    expect((await (await introspect(request, api.clientId, fresh, token)).json()).active).toBe(true);

    const removed = await admin.delete(`/api/admin/resources/${api.id}`);
    expect(removed.status()).toBe(200);
    expect(await removed.json()).toEqual({ revokedTokens: 1 });
    const row = await testDb().query('SELECT revoked_at, revoked_reason FROM tokens WHERE agent_id = (SELECT id FROM agents WHERE client_id = $1)', [agent.client_id]);
    expect(row.rows).toHaveLength(1);
    expect(row.rows[0].revoked_at).not.toBeNull();
    expect(row.rows[0].revoked_reason).toBe(`the protected resource ${api.identifier} was removed`);
    expect((await request.get(`/.well-known/oauth-protected-resource/${api.id}`)).status()).toBe(404);
    expect((await introspect(request, api.clientId, fresh, token)).status()).toBe(401);
    const again = await request.post('/oauth/token', {
      headers: { Authorization: basic(agent.client_id, agent.client_secret!) },
      form: { grant_type: 'client_credentials', scope: api.scopes[0]!, resource: api.identifier },
    });
    // Its scopes went with it: nothing here defines them any more (RFC 6749 §5.2).
    expect(await again.json()).toMatchObject({ error: 'invalid_scope', error_description: `Unknown scope: ${api.scopes[0]}` });
    const audit = await testDb().query("SELECT details FROM audit_events WHERE action IN ('resource.delete', 'resource.secret_rotate') AND resource = $1 ORDER BY id", [api.identifier]);
    expect(audit.rows.map((r) => r.details)).toEqual([{ identifier: api.identifier }, { identifier: api.identifier, revokedTokens: 1 }]);
  });
});

test('servers with different issuers on one database each keep their own API and MCP server', async ({ request, baseURL }) => {
  test.setTimeout(120_000);
  // A second server on this database, with its own issuer (http://localhost:<its port>): it seeds its
  // own two resources, and this server's stay what they were (before, the second one's took them over
  // and this server refused its own API as an unknown resource).
  const port = await findFreePort();
  const secondIssuer = `http://localhost:${port}`;
  const second = await spawnServer({ DATABASE_URL: process.env.DATABASE_URL!, LEASH_DATA_DIR: process.env.LEASH_DATA_DIR!, LEASH_TRUSTED_PROXIES: '1', LEASH_ISSUER: secondIssuer }, { port });
  try {
    const theirs = await (await fetch(`${second.baseURL}/.well-known/oauth-protected-resource/api`)).json();
    expect(theirs.resource).toBe(`${secondIssuer}/api`);
    const ours = await (await request.get('/.well-known/oauth-protected-resource/api')).json();
    expect(ours.resource).toBe(`${baseURL}/api`);
    const agent = await registerMachineClient(request);
    for (const resource of [`${baseURL}/api`, `${baseURL}/mcp`]) {
      const answer = await request.post('/oauth/token', {
        headers: { Authorization: basic(agent.client_id, agent.client_secret!) },
        form: { grant_type: 'client_credentials', scope: 'reports:read', resource },
      });
      expect(answer.status(), await answer.text()).toBe(200);
    }
    // Another issuer's resource is not one of this server's.
    const foreign = await request.post('/oauth/token', {
      headers: { Authorization: basic(agent.client_id, agent.client_secret!) },
      form: { grant_type: 'client_credentials', scope: 'reports:read', resource: `${secondIssuer}/api` },
    });
    expect((await foreign.json()).error).toBe('invalid_target');
    const listed = (await (await admin.get('/api/admin/resources')).json()).resources.filter((r: { builtIn: boolean }) => r.builtIn);
    expect(listed.map((r: { identifier: string }) => r.identifier)).toEqual([`${baseURL}/api`, `${baseURL}/mcp`]);
  } finally {
    await second.stop();
  }
});

test('a resource server may authenticate with its own key (private_key_jwt, RFC 7523): an assertion is accepted once', async ({ request, baseURL }) => {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const api = await registerResource(admin, { authMethod: 'private_key_jwt', jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'rs-1', alg: 'ES256' }] } });
  expect(api.clientSecret).toBeUndefined();
  const agent = await registerMachineClient(request, { scope: api.scopes.join(' ') });
  const token = await clientCredentialsToken(request, agent, { scope: api.scopes[0]!, resource: api.identifier });
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'rs-1' })
    .setIssuer(api.clientId)
    .setSubject(api.clientId)
    .setAudience(baseURL!)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime('1m')
    .sign(privateKey);
  const form = { token, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion };
  const first = await request.post('/oauth/introspect', { form });
  expect(first.status(), await first.text()).toBe(200);
  expect(await first.json()).toMatchObject({ active: true, aud: api.identifier });
  const replayed = await request.post('/oauth/introspect', { form });
  expect(replayed.status()).toBe(401);
  expect((await replayed.json()).error).toBe('invalid_client');
  // A secret is not how this one authenticates.
  const withSecret = await request.post('/oauth/introspect', { headers: { Authorization: basic(api.clientId, 'lsh_cs_guess') }, form: { token } });
  expect(withSecret.status()).toBe(401);
});
