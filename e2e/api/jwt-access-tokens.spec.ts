// RFC 9068 JWT access tokens (issue 14 §2): a resource registered with tokenFormat `jwt` gets, from
// every grant (client credentials, authorization code, refresh and token exchange here; device and
// CIBA issue through the same function), a JWT that jose verifies with nothing but the server's
// JWKS (typ at+jwt, ES256, the issuer, exactly its audience), carrying exactly the facts of its row; a revocation (RFC 7009)
// reaches introspection, which answers from the row; Leash's own resources stay opaque and refuse a
// JWT minted for another API. Key rotation (on a server with its own database, since it changes the
// keys every test verifies with): the next key is in the JWKS before any token carries its kid, the
// old key's tokens still verify after the takeover, and the old key leaves only once they expired.
import crypto from 'node:crypto';
import { expect, request as playwrightRequest, test, type APIRequestContext } from '@playwright/test';
import { createRemoteJWKSet, createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { createAccount, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { runCommand } from '../support/command-lines';
import { testDb } from '../support/db';
import { delegatedToken, setPolicy } from '../support/delegation';
import { newKey, nonce, proof, thumbprint } from '../support/dpop';
import { AGENT_CALLBACK, authorizeOverHttp, basic, pkce, registerMachineClient, registerPublicAgent, type RegisteredClient } from '../support/oauth';
import { serverWithOwnDatabase } from '../support/own-database';
import { ACCESS, exchange, TOKEN_EXCHANGE } from '../support/token-exchange';
import { adminContext, ordersApi, registerResource, type RegisteredResource } from '../support/resources';

let admin: APIRequestContext;
let jwtApi: RegisteredResource;
let opaqueApi: RegisteredResource;

test.beforeAll(async ({ baseURL }) => {
  admin = await adminContext(baseURL!);
  jwtApi = await registerResource(admin, ordersApi({ tokenFormat: 'jwt' }));
  opaqueApi = await registerResource(admin, ordersApi({ tokenFormat: 'opaque' }));
});

test.afterAll(async () => {
  await admin.dispose();
});

const hashOf = (token: string) => crypto.createHash('sha256').update(token).digest('hex');
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

async function tokenRow(token: string) {
  const { rows } = await testDb().query('SELECT id, prefix, signing_key_id, created_at, expires_at, revoked_at, grant_id, user_id FROM tokens WHERE token_hash = $1', [hashOf(token)]);
  expect(rows, 'the JWT is stored as a Token row, by its hash').toHaveLength(1);
  return rows[0] as { id: string; prefix: string; signing_key_id: string | null; created_at: Date; expires_at: Date; revoked_at: Date | null; grant_id: string | null; user_id: string | null };
}

/** RFC 9068 §4 as a resource server does it: typ, issuer, exactly its audience, the published keys. */
function verify(token: string, baseURL: string, audience: string) {
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', baseURL));
  return jwtVerify(token, jwks, { typ: 'at+jwt', issuer: baseURL, audience, algorithms: ['ES256'] });
}

const introspectAs = (request: APIRequestContext, resource: RegisteredResource, token: string) =>
  request.post('/oauth/introspect', { headers: { Authorization: basic(resource.clientId, resource.clientSecret!) }, form: { token } });

async function clientCredentials(request: APIRequestContext, client: RegisteredClient, form: Record<string, string>) {
  const response = await request.post('/oauth/token', { headers: { Authorization: basic(client.client_id, client.client_secret!) }, form: { grant_type: 'client_credentials', ...form } });
  expect(response.status(), await response.text()).toBe(200);
  return response.json();
}

test('client_credentials for a JWT resource: jose verifies it against the JWKS, and its claims are exactly its row', async ({ request, baseURL }) => {
  const [read, write] = jwtApi.scopes;
  const agent = await registerMachineClient(request, { scope: `${read} ${write}` });
  const issued = await clientCredentials(request, agent, { resource: jwtApi.identifier, scope: read! });
  // The token response does not change with the format (RFC 6749 §5.1).
  expect(issued).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 600, scope: read });
  const token: string = issued.access_token;

  const header = decodeProtectedHeader(token);
  const jwks = (await (await request.get('/.well-known/jwks.json')).json()) as JSONWebKeySet;
  expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
  expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);

  const { payload, protectedHeader } = await verify(token, baseURL!, jwtApi.identifier);
  expect(protectedHeader.typ).toBe('at+jwt');
  const row = await tokenRow(token);
  // RFC 9068 §2.2: no user behind it, so the agent is the subject; jti is the row's id.
  expect(payload).toEqual({
    iss: baseURL,
    aud: jwtApi.identifier,
    sub: agent.client_id,
    client_id: agent.client_id,
    iat: seconds(row.created_at),
    exp: seconds(row.created_at) + 600,
    jti: row.id,
    scope: read,
  });
  expect(row.expires_at.getTime()).toBe(row.created_at.getTime() + 600_000);
  expect(row.signing_key_id).toBe(header.kid);
  expect(row.prefix).toBe('eyJ');
  const audit = await testDb().query("SELECT details FROM audit_events WHERE action = 'token.issue' AND token_id = $1", [row.id]);
  expect(audit.rows[0].details).toMatchObject({ grant_type: 'client_credentials', kind: 'ACCESS', jwt_kid: header.kid });

  // A verifier for another API refuses it on its audience (§4 step 4)...
  await expect(verify(token, baseURL!, opaqueApi.identifier)).rejects.toThrow(errors.JWTClaimValidationFailed);
  await expect(verify(token, baseURL!, opaqueApi.identifier)).rejects.toMatchObject({ claim: 'aud' });
  // ...and so does a verifier that expects another issuer.
  await expect(jwtVerify(token, createRemoteJWKSet(new URL('/.well-known/jwks.json', baseURL)), { issuer: 'https://other-issuer.example', audience: jwtApi.identifier })).rejects.toMatchObject({
    claim: 'iss',
  });

  // Introspection by the API's own credentials answers the same facts, from the row.
  const introspected = await (await introspectAs(request, jwtApi, token)).json();
  expect(introspected).toMatchObject({
    active: true,
    token_type: 'Bearer',
    iss: baseURL,
    aud: jwtApi.identifier,
    sub: agent.client_id,
    client_id: agent.client_id,
    scope: read,
    iat: payload.iat,
    exp: payload.exp,
    jti: payload.jti,
  });
  // Another API learns nothing of it (RFC 7662 §2.2).
  expect(await (await introspectAs(request, opaqueApi, token)).json()).toEqual({ active: false });
});

test("Leash's own resources stay opaque, and Leash's own API refuses a JWT minted for another API", async ({ request, baseURL }) => {
  const agent = await registerMachineClient(request, { scope: `datasets:read ${jwtApi.scopes[0]}` });
  const own = await clientCredentials(request, agent, { scope: 'datasets:read' });
  expect(own.access_token).toMatch(/^lsh_at_[0-9A-Za-z]{49}$/);
  expect((await tokenRow(own.access_token)).signing_key_id).toBeNull();
  const ownApi = await clientCredentials(request, agent, { resource: `${baseURL}/api`, scope: 'datasets:read' });
  expect(ownApi.access_token).toMatch(/^lsh_at_/);
  // An API registered as opaque gets opaque tokens too.
  const opaque = await clientCredentials(request, await registerMachineClient(request, { scope: opaqueApi.scopes[0]! }), { resource: opaqueApi.identifier, scope: opaqueApi.scopes[0]! });
  expect(opaque.access_token).toMatch(/^lsh_at_/);

  const jwt = (await clientCredentials(request, agent, { resource: jwtApi.identifier, scope: jwtApi.scopes[0]! })).access_token as string;
  const call = await request.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${jwt}` } });
  expect(call.status()).toBe(401);
  expect(call.headers()['www-authenticate']).toContain('error="invalid_token"');
  expect((await call.json()).error_description).toBe('The access token is not for this resource.');
});

test('authorization code with DPoP: the user, how they signed in, cnf.jkt, the grant and the policy version; the refresh gives a JWT too', async ({ request, baseURL }) => {
  const read = jwtApi.scopes[0]!;
  const user = await createAccount(request, baseURL, { email: uniqueEmail('jwt'), password: 'a-long-enough-passphrase' });
  expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
  const client = await registerPublicAgent(request, { scope: `${read} offline_access` });
  const ids = (await testDb().query('SELECT u.id AS user_id, a.id AS agent_id FROM users u, agents a WHERE u.email = $1 AND a.client_id = $2', [user.email, client.client_id])).rows[0];
  // The policy decides the lifetime (2 minutes here) and its version is in the token.
  await setPolicy({ userId: ids.user_id, agentId: ids.agent_id }, { tokens: { accessTokenSeconds: 120, refreshAllowed: true, refreshDays: 30, dpopRequired: false } });

  const { verifier, challenge } = pkce();
  const back = await authorizeOverHttp(request, baseURL!, {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: AGENT_CALLBACK,
    scope: `${read} offline_access`,
    resource: jwtApi.identifier,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const key = await newKey();
  const tokenUrl = `${baseURL}/oauth/token`;
  const n = await nonce(request, baseURL!, key);
  const exchanged = await request.post('/oauth/token', {
    headers: { DPoP: await proof(key, 'POST', tokenUrl, { nonce: n }) },
    form: { grant_type: 'authorization_code', client_id: client.client_id, code: back.searchParams.get('code')!, code_verifier: verifier, redirect_uri: AGENT_CALLBACK },
  });
  expect(exchanged.status(), await exchanged.text()).toBe(200);
  const tokens = await exchanged.json();
  expect(tokens).toMatchObject({ token_type: 'DPoP', expires_in: 120, refresh_token: expect.stringMatching(/^lsh_rt_/) });

  const { payload } = await verify(tokens.access_token, baseURL!, jwtApi.identifier);
  const row = await tokenRow(tokens.access_token);
  const jkt = await thumbprint(key);
  const session = (await testDb().query('SELECT acr, amr, auth_time FROM user_sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1', [ids.user_id])).rows[0];
  const expected = (jti: string, iat: number): JWTPayload => ({
    iss: baseURL,
    aud: jwtApi.identifier,
    sub: ids.user_id,
    client_id: client.client_id,
    iat,
    exp: iat + 120,
    jti,
    scope: `${read} offline_access`.split(' ').sort().join(' '),
    auth_time: seconds(session.auth_time),
    acr: session.acr,
    ...(session.amr.length ? { amr: session.amr } : {}),
    cnf: { jkt },
    grant_id: row.grant_id!,
    policy_version: 1,
  });
  expect(payload).toEqual(expected(row.id, seconds(row.created_at)));
  expect(row.user_id).toBe(ids.user_id);
  const introspected = await (await introspectAs(request, jwtApi, tokens.access_token)).json();
  expect(introspected).toMatchObject({ active: true, token_type: 'DPoP', sub: ids.user_id, cnf: { jkt }, grant_id: row.grant_id, policy_version: 1 });

  // refresh_token grant (its refresh token is bound to the same key, RFC 9449 §5).
  const refreshed = await request.post('/oauth/token', {
    headers: { DPoP: await proof(key, 'POST', tokenUrl, { nonce: n }) },
    form: { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: tokens.refresh_token },
  });
  expect(refreshed.status(), await refreshed.text()).toBe(200);
  const next = await refreshed.json();
  const { payload: nextPayload } = await verify(next.access_token, baseURL!, jwtApi.identifier);
  const nextRow = await tokenRow(next.access_token);
  expect(nextRow.id).not.toBe(row.id);
  expect(nextPayload).toEqual(expected(nextRow.id, seconds(nextRow.created_at)));
});

test('token exchange: a JWT subject token exchanged by another agent gives a JWT that acts for the user, with act naming the actor', async ({ request, baseURL }) => {
  const read = jwtApi.scopes[0]!;
  // The user's token for the first agent is itself a JWT (found by its hash, like an opaque one).
  const subject = await delegatedToken(request, baseURL!, read, { resource: jwtApi.identifier });
  expect(decodeProtectedHeader(subject.token).typ).toBe('at+jwt');
  const actorClient = await registerMachineClient(request, { client_name: 'JWT sub-agent', grant_types: ['client_credentials', TOKEN_EXCHANGE], scope: read });
  const actor = { client: actorClient, token: (await clientCredentials(request, actorClient, { resource: jwtApi.identifier, scope: read })).access_token as string };
  await setPolicy(subject, { mayAct: [actorClient.client_id] });

  const response = await exchange(request, actor, { subject_token: subject.token, resource: jwtApi.identifier });
  expect(response.status(), await response.text()).toBe(200);
  const result = await response.json();
  expect(result).toMatchObject({ token_type: 'Bearer', issued_token_type: ACCESS, scope: read });
  const { payload } = await verify(result.access_token, baseURL!, jwtApi.identifier);
  const { payload: subjectPayload } = await verify(subject.token, baseURL!, jwtApi.identifier);
  const row = await tokenRow(result.access_token);
  expect(payload).toEqual({
    iss: baseURL,
    aud: jwtApi.identifier,
    sub: subject.userId,
    client_id: actorClient.client_id,
    iat: seconds(row.created_at),
    exp: seconds(row.expires_at),
    jti: row.id,
    scope: read,
    // How the user signed in: the subject token's facts.
    auth_time: subjectPayload.auth_time,
    acr: subjectPayload.acr,
    ...(subjectPayload.amr ? { amr: subjectPayload.amr } : {}),
    // RFC 8693 §4.1: the actor.
    act: { sub: actorClient.client_id },
    grant_id: subjectPayload.grant_id,
    // The user's policy for the acting agent: none stored, the defaults (version 0).
    policy_version: 0,
  });
  expect(payload.exp!).toBeLessThanOrEqual(subjectPayload.exp!);
  expect(typeof subjectPayload.auth_time).toBe('number');
});

test('a revoked JWT (RFC 7009) introspects as inactive from its row, though its signature still verifies (the trade-off)', async ({ request, baseURL }) => {
  const read = jwtApi.scopes[0]!;
  const agent = await registerMachineClient(request, { scope: read });
  const token = (await clientCredentials(request, agent, { resource: jwtApi.identifier, scope: read })).access_token as string;
  expect(await (await introspectAs(request, jwtApi, token)).json()).toMatchObject({ active: true });

  const revoked = await request.post('/oauth/revoke', { headers: { Authorization: basic(agent.client_id, agent.client_secret!) }, form: { token, token_type_hint: 'access_token' } });
  expect(revoked.status()).toBe(200);
  expect((await tokenRow(token)).revoked_at).not.toBeNull();
  expect(await (await introspectAs(request, jwtApi, token)).json()).toEqual({ active: false });
  expect(await (await request.post('/oauth/introspect', { headers: { Authorization: basic(agent.client_id, agent.client_secret!) }, form: { token } })).json()).toEqual({ active: false });
  // Offline verification cannot know: this is why JWT tokens are short-lived, and why an API that
  // must see revocations at once introspects or listens to Shared Signals (docs/jwt-access-tokens.md).
  await expect(verify(token, baseURL!, jwtApi.identifier)).resolves.toBeTruthy();
});

test('key rotation: the next key is published before it signs, the old key verifies its tokens after the takeover and leaves only once they expired', async () => {
  test.setTimeout(180_000);
  const maxAge = 8;
  const server = await serverWithOwnDatabase('jwt-rotation', { LEASH_JWKS_MAX_AGE: String(maxAge), LEASH_MAX_CLOCK_SKEW: '1', LEASH_TOKEN_CLIENT_LIMIT: '1000', LEASH_TOKEN_IP_LIMIT: '1000' });
  const http = await playwrightRequest.newContext({ baseURL: server.baseURL });
  try {
    // A JWT resource on that database (the admin API needs an administrator, which it has not).
    const identifier = 'https://rotation.example.com/api';
    await server.sql.query(`INSERT INTO protected_resources (id, identifier, name, scopes, token_format, updated_at) VALUES (gen_random_uuid(), $1, 'Rotation API', $2::jsonb, 'JWT', now())`, [
      identifier,
      JSON.stringify([{ name: 'rotation:read', description: 'Read', risk: 'low' }]),
    ]);
    const agent = await registerMachineClient(http, { scope: 'rotation:read' });
    const mint = async () => (await clientCredentials(http, agent, { resource: identifier, scope: 'rotation:read' })).access_token as string;
    const kidOf = (token: string) => decodeProtectedHeader(token).kid!;
    const jwks = async () => {
      const response = await http.get('/.well-known/jwks.json');
      expect(response.headers()['cache-control']).toBe(`public, max-age=${maxAge}`);
      return { fetchedAt: Date.now(), set: (await response.json()) as JSONWebKeySet };
    };
    const kids = (set: JSONWebKeySet) => set.keys.map((k) => k.kid).sort();
    const verifyWith = (token: string, set: JSONWebKeySet) => jwtVerify(token, createLocalJWKSet(set), { typ: 'at+jwt', issuer: server.baseURL, audience: identifier });

    const first = await mint();
    const oldKid = kidOf(first);
    const before = await jwks();
    expect(kids(before.set)).toEqual([oldKid]);

    // The operator's command, against the server's database with its secrets.
    const rotation = runCommand(['--import', 'tsx', '--conditions=react-server', 'scripts/keys/rotate.ts', '0'], {
      DATABASE_URL: server.databaseUrl,
      LEASH_DATA_DIR: server.dataDir,
      LEASH_JWKS_MAX_AGE: String(maxAge),
    });
    const [, newKid, takeover] = await rotation.line(/^Next signing key: (\S+) \(published now, signs from (\S+)\)/);
    expect((await rotation.done()).code).toBe(0);
    const takeoverAt = Date.parse(takeover!);

    // Published at once, next to the key that still signs.
    const during = await jwks();
    expect(kids(during.set)).toEqual([oldKid, newKid].sort());
    const signedBefore: string[] = [first];
    let firstNew: string | undefined;
    const deadline = takeoverAt + 20_000;
    while (!firstNew) {
      expect(Date.now(), 'the new key signs within seconds of its takeover').toBeLessThan(deadline);
      const token = await mint();
      if (kidOf(token) === newKid) firstNew = token;
      else {
        expect(kidOf(token)).toBe(oldKid);
        expect((await verifyWith(token, during.set)).payload.iat!).toBeLessThanOrEqual(Math.floor(takeoverAt / 1000));
        signedBefore.push(token);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    // No token carried the new kid before its takeover, so none before a verifier that fetched the
    // set just before the rotation (and kept it max-age) had fetched it again.
    const firstNewIat = (await verifyWith(firstNew, (await jwks()).set)).payload.iat!;
    expect(firstNewIat * 1000).toBeGreaterThanOrEqual(Math.floor(takeoverAt / 1000) * 1000);
    expect(firstNewIat * 1000 + 1000).toBeGreaterThan(before.fetchedAt + maxAge * 1000);
    // A verifier that fetched the set after the rotation verifies both keys' tokens.
    for (const token of [...signedBefore, firstNew]) await verifyWith(token, during.set);

    // After the takeover the old key still verifies what it signed: its floor (an instance's signer
    // cache, `maxAge` s here, plus the 1 s skew) passes, and its tokens (600 s) still hold it.
    const floorPassed = takeoverAt + maxAge * 1000 + 1000 + 500;
    while (Date.now() < floorPassed) await new Promise((r) => setTimeout(r, 250));
    const afterFloor = await jwks();
    expect(kids(afterFloor.set)).toEqual([oldKid, newKid].sort());
    for (const token of signedBefore) await verifyWith(token, afterFloor.set);
    expect((await server.sql.query('SELECT status FROM signing_keys WHERE id = $1', [oldKid])).rows[0].status).toBe('RETIRING');

    // Their expiry, moved into the past in the rows (the server decides from the rows, which hold
    // each JWT's exp; waiting ten minutes would prove the same): all but one, the key stays...
    const hashes = signedBefore.map(hashOf);
    await server.sql.query("UPDATE tokens SET expires_at = now() - interval '1 minute' WHERE token_hash = ANY($1)", [hashes.slice(1)]);
    expect(kids((await jwks()).set)).toEqual([oldKid, newKid].sort());
    // ...the last one too: it leaves, for good.
    await server.sql.query("UPDATE tokens SET expires_at = now() - interval '1 minute' WHERE token_hash = $1", [hashes[0]]);
    const after = await jwks();
    expect(kids(after.set)).toEqual([newKid]);
    expect((await server.sql.query('SELECT status FROM signing_keys WHERE id = $1', [oldKid])).rows[0].status).toBe('RETIRED');
    await expect(verifyWith(first, after.set)).rejects.toThrow(errors.JWKSNoMatchingKey);
    await verifyWith(await mint(), after.set);
  } finally {
    await http.dispose();
    await server.stop();
  }
});
