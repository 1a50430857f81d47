// @leash/resource-server against the real Leash (issue 14 §5): the verifier in this process,
// configured as a registered API with its own rs_ credentials, validates tokens Leash issued by
// introspection (RFC 7662) and DPoP proofs made here (RFC 9449); refuses tokens for other
// audiences, revoked tokens (cache off), and fails closed when its credentials are refused.
// JWT tokens, DPoP details and the challenges against a test issuer: packages/resource-server.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { createVerifier } from '@leash/resource-server';
import { basic, clientCredentialsToken, registerMachineClient } from '../support/oauth';
import { adminContext, registerResource, uniqueWord, type RegisteredResource } from '../support/resources';
import { ath, newKey, nonce, proof } from '../support/dpop';

let admin: APIRequestContext;
let api: RegisteredResource;

test.beforeAll(async ({ baseURL }) => {
  admin = await adminContext(baseURL!);
  const area = uniqueWord('kit');
  api = await registerResource(admin, {
    // Loopback http is accepted next to the tests' http issuer; the verifier never listens here.
    identifier: `http://127.0.0.1:9/${area}`,
    name: 'Kit test API',
    scopes: [
      { name: `${area}:read`, description: 'Read the kit data', risk: 'low' },
      { name: `${area}:write`, description: 'Change the kit data', risk: 'medium' },
    ],
    actions: [],
    tokenFormat: 'opaque',
  });
});
test.afterAll(() => admin.dispose());

const verifierFor = (baseURL: string, options: { secret?: string; cacheSeconds?: number } = {}) =>
  createVerifier({ issuer: baseURL, resource: api.identifier, clientId: api.clientId, clientSecret: options.secret ?? api.clientSecret!, introspectionCacheSeconds: options.cacheSeconds ?? 0 });
const call = (token: string, scheme = 'Bearer', extra: Record<string, string> = {}) => ({
  method: 'GET',
  url: `${api.identifier}/things`,
  headers: new Headers({ Authorization: `${scheme} ${token}`, ...extra }),
});

test('introspection as the resource server: a token for it is accepted with the claims enforcement needs; one for another API is not', async ({ request, baseURL }) => {
  const agent = await registerMachineClient(request, { scope: `${api.scopes.join(' ')} datasets:read` });
  const token = await clientCredentialsToken(request, agent, { scope: api.scopes[0]!, resource: api.identifier });
  const verifier = verifierFor(baseURL!);
  const result = await verifier.verify(call(token), { scopes: [api.scopes[0]!] });
  expect(result.ok, JSON.stringify(result.ok ? null : result.answer)).toBe(true);
  if (!result.ok) return;
  expect(result.auth.claims).toMatchObject({ format: 'opaque', client_id: agent.client_id, aud: [api.identifier], scopes: [api.scopes[0]] });
  expect(result.auth.claims.policy_version).toEqual(expect.any(Number));

  // The route needs the write scope too: 403 insufficient_scope naming it.
  const short = await verifier.verify(call(token), { scopes: [api.scopes[1]!] });
  expect(short.ok ? null : [short.answer.status, short.answer.body.error, short.answer.body.scope]).toEqual([403, 'insufficient_scope', api.scopes[1]]);

  // A token for Leash's own API is not this resource's business: inactive (RFC 7662 §2.2).
  const other = await clientCredentialsToken(request, agent, { scope: 'datasets:read', resource: `${baseURL}/api` });
  const refused = await verifier.verify(call(other));
  expect(refused.ok ? null : [refused.answer.status, refused.answer.body]).toEqual([
    401,
    { error: 'invalid_token', error_description: 'The access token is not active: unknown, expired, revoked or not for this resource.' },
  ]);
});

test('a revoked token is refused at once without a cache; with one, the cached answer holds until its seconds run out (what Shared Signals is for)', async ({ request, baseURL }) => {
  const agent = await registerMachineClient(request, { scope: api.scopes.join(' ') });
  const token = await clientCredentialsToken(request, agent, { scope: api.scopes[0]!, resource: api.identifier });
  const uncached = verifierFor(baseURL!);
  const cached = verifierFor(baseURL!, { cacheSeconds: 60 });
  expect((await uncached.verify(call(token))).ok).toBe(true);
  expect((await cached.verify(call(token))).ok).toBe(true);
  expect(cached.introspectionCache?.size).toBe(1);
  const revoked = await request.post('/oauth/revoke', { headers: { Authorization: basic(agent.client_id, agent.client_secret!) }, form: { token } });
  expect(revoked.status()).toBe(200);
  const now = await uncached.verify(call(token));
  expect(now.ok ? null : now.answer.body.error).toBe('invalid_token');
  expect((await cached.verify(call(token))).ok).toBe(true);
});

test('DPoP-bound tokens from Leash: a proof of the key is required, sent as Bearer it is refused, a proof is used once', async ({ request, baseURL }) => {
  const agent = await registerMachineClient(request, { scope: api.scopes.join(' ') });
  const key = await newKey();
  const issued = await request.post('/oauth/token', {
    headers: { Authorization: basic(agent.client_id, agent.client_secret!), DPoP: await proof(key, 'POST', `${baseURL}/oauth/token`, { nonce: await nonce(request, baseURL!, key) }) },
    form: { grant_type: 'client_credentials', scope: api.scopes[0]!, resource: api.identifier },
  });
  expect(issued.status(), await issued.text()).toBe(200);
  const { access_token: token, token_type } = await issued.json();
  expect(token_type).toBe('DPoP');
  const verifier = verifierFor(baseURL!);
  const good = await proof(key, 'GET', `${api.identifier}/things`, { ath: ath(token) });
  const accepted = await verifier.verify(call(token, 'DPoP', { DPoP: good }));
  expect(accepted.ok, JSON.stringify(accepted.ok ? null : accepted.answer)).toBe(true);
  const replayed = await verifier.verify(call(token, 'DPoP', { DPoP: good }));
  expect(replayed.ok ? null : [replayed.answer.body.error, replayed.answer.body.error_description]).toEqual(['invalid_dpop_proof', 'This DPoP proof was already used.']);
  const asBearer = await verifier.verify(call(token));
  expect(asBearer.ok ? null : [asBearer.answer.status, asBearer.answer.body.error, asBearer.answer.headers['WWW-Authenticate']?.split(' ')[0]]).toEqual([401, 'invalid_token', 'DPoP']);
});

test('fails closed: refused resource-server credentials answer 503 temporarily_unavailable, never a pass', async ({ request, baseURL }) => {
  const agent = await registerMachineClient(request, { scope: api.scopes.join(' ') });
  const token = await clientCredentialsToken(request, agent, { scope: api.scopes[0]!, resource: api.identifier });
  const result = await verifierFor(baseURL!, { secret: 'not-the-secret' }).verify(call(token));
  expect(result.ok ? null : [result.answer.status, result.answer.body.error]).toEqual([503, 'temporarily_unavailable']);
});

// Needs RFC 9068 JWT access tokens for resources that choose them (branch `jwt`, issue 14 §2).
test('a resource that wants JWT access tokens verifies them locally against the JWKS, with no credentials and no introspection', async ({ request, baseURL }) => {
  const area = uniqueWord('kitjwt');
  const jwtApi = await registerResource(admin, {
    identifier: `http://127.0.0.1:9/${area}`,
    name: 'Kit JWT API',
    scopes: [{ name: `${area}:read`, description: 'Read the kit data', risk: 'low' }],
    actions: [],
    tokenFormat: 'jwt',
  });
  const agent = await registerMachineClient(request, { scope: `${area}:read` });
  const token = await clientCredentialsToken(request, agent, { scope: `${area}:read`, resource: jwtApi.identifier });
  expect(token.split('.')).toHaveLength(3);
  // No clientId / clientSecret: nothing is asked of Leash but its metadata and keys.
  const verifier = createVerifier({ issuer: baseURL!, resource: jwtApi.identifier });
  const result = await verifier.verify({ method: 'GET', url: `${jwtApi.identifier}/things`, headers: new Headers({ Authorization: `Bearer ${token}` }) }, { scopes: [`${area}:read`] });
  expect(result.ok, JSON.stringify(result.ok ? null : result.answer)).toBe(true);
  if (!result.ok) return;
  expect(result.auth.claims).toMatchObject({ format: 'jwt', iss: baseURL, client_id: agent.client_id, aud: [jwtApi.identifier], scopes: [`${area}:read`] });
  // The same JWT presented to another registered API is refused by that API's verifier (audience).
  const other = await verifierFor(baseURL!).verify({ method: 'GET', url: `${api.identifier}/things`, headers: new Headers({ Authorization: `Bearer ${token}` }) });
  expect(other.ok ? null : other.answer.body).toEqual({ error: 'invalid_token', error_description: 'The access token is not for this resource.' });
});
