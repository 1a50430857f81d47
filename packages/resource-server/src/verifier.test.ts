// The framework-free verifier against real signed JWT access tokens (RFC 9068), DPoP proofs
// (RFC 9449) and Security Event Tokens (RFC 8417) made here with jose, their keys published by a
// test issuer over real HTTP. Introspection needs a real Leash: e2e/api/resource-server-kit.spec.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, type Verifier } from './verifier.js';
import { readDecision } from './authzen.js';
import { Refusal, challengeHeader } from './refusal.js';
import { CAEP } from './shared-signals.js';
import { dpopProof, newDpopKey, startTestIssuer, thumbprint, type TestIssuer } from './test-issuer.js';

const RESOURCE = 'https://orders.example/api';
const METADATA = 'https://orders.example/.well-known/oauth-protected-resource/api';
const URL_ORDERS = 'https://orders.example/api/orders';
let issuer: TestIssuer;
let verifier: Verifier;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  issuer = await startTestIssuer(RESOURCE);
  verifier = createVerifier({ issuer: issuer.issuer, resource: RESOURCE, tokenFormat: 'jwt', scopes: ['orders:read', 'orders:write'], resourceName: 'Orders' });
});
afterAll(() => issuer.close());

const get = (headers: Record<string, string>, url = URL_ORDERS) => ({ method: 'GET', url, headers: new Headers(headers) });

describe('tokens and challenges', () => {
  it('a request without a token gets the bare Bearer challenge with the scope to ask for and the metadata URL (RFC 6750 §3.1, RFC 9728 §5.1)', async () => {
    const result = await verifier.verify(get({}), { scopes: ['orders:read'] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.answer.status).toBe(401);
    expect(result.answer.headers['WWW-Authenticate']).toBe(`Bearer resource_metadata="${METADATA}", scope="orders:read"`);
    expect(result.answer.headers['Cache-Control']).toBe('no-store');
    expect(result.answer.body).toEqual({ error: 'unauthorized', error_description: 'A bearer token is required.' });
  });

  it('accepts a valid JWT access token and hands its claims and the Agent-Intent on', async () => {
    const token = await issuer.accessToken({ scope: 'orders:read orders:write', grant_id: 'grant-1' });
    const result = await verifier.verify(get({ Authorization: `Bearer ${token}`, 'Agent-Intent': 'Check the open orders' }), { scopes: ['orders:read'] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.auth).toMatchObject({ userId: 'user-1', clientId: 'agent-1', scopes: ['orders:read', 'orders:write'], intent: 'Check the open orders' });
    expect(result.auth.claims).toMatchObject({ format: 'jwt', grant_id: 'grant-1', aud: [RESOURCE] });
  });

  it('refuses an expired token, a token for another audience, and a JWT that is not an access token (typ), each as invalid_token', async () => {
    const cases: [string, string][] = [
      [await issuer.accessToken({ iat: now() - 600, exp: now() - 60 }), 'The access token has expired.'],
      [await issuer.accessToken({ aud: 'https://other.example/api' }), 'The access token is not for this resource.'],
      [await issuer.accessToken({}, { typ: 'JWT' }), 'The token is not a JWT access token (typ at+jwt).'],
      [(await issuer.accessToken()).slice(0, -4) + 'AAAA', 'The access token is not a valid JWT access token from this issuer.'],
    ];
    for (const [token, description] of cases) {
      const result = await verifier.verify(get({ Authorization: `Bearer ${token}` }));
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.answer.status).toBe(401);
      expect(result.answer.body).toEqual({ error: 'invalid_token', error_description: description });
      expect(result.answer.headers['WWW-Authenticate']).toBe(`Bearer resource_metadata="${METADATA}", error="invalid_token", error_description="${description}"`);
    }
  });

  it('names every scope the route needs in an insufficient_scope challenge (RFC 6750 §3.1)', async () => {
    const token = await issuer.accessToken({ scope: 'orders:read' });
    const result = await verifier.verify(get({ Authorization: `Bearer ${token}` }), { scopes: ['orders:read', 'orders:write'] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.answer.status).toBe(403);
    expect(result.answer.headers['WWW-Authenticate']).toBe(
      `Bearer resource_metadata="${METADATA}", error="insufficient_scope", error_description="This operation needs: orders:read orders:write.", scope="orders:read orders:write"`,
    );
    expect(result.answer.body).toEqual({ error: 'insufficient_scope', error_description: 'This operation needs: orders:read orders:write.', scope: 'orders:read orders:write' });
  });

  it('serves the RFC 9728 metadata at the path the challenges name', () => {
    expect(verifier.metadataPath).toBe('/.well-known/oauth-protected-resource/api');
    expect(verifier.metadata()).toEqual({
      resource: RESOURCE,
      authorization_servers: [issuer.issuer],
      bearer_methods_supported: ['header'],
      scopes_supported: ['orders:read', 'orders:write'],
      resource_name: 'Orders',
      dpop_signing_alg_values_supported: ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'],
    });
  });
});

describe('DPoP (RFC 9449)', () => {
  async function bound() {
    const key = await newDpopKey();
    const token = await issuer.accessToken({ cnf: { jkt: await thumbprint(key) } });
    return { key, token };
  }
  const refusal = async (headers: Record<string, string>, method = 'GET') => {
    const result = await verifier.verify({ method, url: URL_ORDERS, headers: new Headers(headers) });
    if (result.ok) throw new Error('expected a refusal');
    return { status: result.answer.status, body: result.answer.body, challenge: result.answer.headers['WWW-Authenticate'] };
  };
  const dpopChallenge = (error: string, description: string) => `DPoP algs="ES256 ES384 EdDSA RS256 PS256", resource_metadata="${METADATA}", error="${error}", error_description="${description}"`;

  it('accepts a bound token with a fresh proof of its key, once: the same proof again is a replay', async () => {
    const { key, token } = await bound();
    const proof = await dpopProof(key, 'GET', URL_ORDERS, token);
    const first = await verifier.verify(get({ Authorization: `DPoP ${token}`, DPoP: proof }));
    expect(first.ok).toBe(true);
    if (first.ok) expect(first.auth.dpopJkt).toBe(await thumbprint(key));
    expect(await refusal({ Authorization: `DPoP ${token}`, DPoP: proof })).toEqual({
      status: 401,
      body: { error: 'invalid_dpop_proof', error_description: 'This DPoP proof was already used.' },
      challenge: dpopChallenge('invalid_dpop_proof', 'This DPoP proof was already used.'),
    });
    // A new proof for the next request is fine.
    expect((await verifier.verify(get({ Authorization: `DPoP ${token}`, DPoP: await dpopProof(key, 'GET', URL_ORDERS, token) }))).ok).toBe(true);
  });

  it('refuses a bound token sent as Bearer (whoever copied it lacks the key)', async () => {
    const { token } = await bound();
    const description = 'This access token is DPoP-bound: send it with the DPoP scheme and a proof.';
    expect(await refusal({ Authorization: `Bearer ${token}` })).toEqual({
      status: 401,
      body: { error: 'invalid_token', error_description: description },
      challenge: dpopChallenge('invalid_token', description),
    });
  });

  it('refuses a proof for another URL (htu), another method (htm), another token (ath), an old iat, or another key', async () => {
    const { key, token } = await bound();
    const other = await newDpopKey();
    const cases: [string, string, string][] = [
      [await dpopProof(key, 'GET', 'https://orders.example/api/invoices', token), 'invalid_dpop_proof', 'The proof was made for another URL (htu).'],
      [await dpopProof(key, 'POST', URL_ORDERS, token), 'invalid_dpop_proof', 'The proof was made for another HTTP method (htm).'],
      [await dpopProof(key, 'GET', URL_ORDERS, 'another-token'), 'invalid_dpop_proof', 'The proof is not bound to this access token (ath).'],
      [await dpopProof(key, 'GET', URL_ORDERS, token, { iat: now() - 120 }), 'invalid_dpop_proof', 'The proof is too old or from the future (iat).'],
      [await dpopProof(other, 'GET', URL_ORDERS, token), 'invalid_token', 'The DPoP proof was made with another key than the one this token is bound to.'],
    ];
    for (const [proof, error, description] of cases) {
      expect(await refusal({ Authorization: `DPoP ${token}`, DPoP: proof })).toEqual({ status: 401, body: { error, error_description: description }, challenge: dpopChallenge(error, description) });
    }
    expect(await refusal({ Authorization: `DPoP ${token}` })).toMatchObject({ body: { error: 'invalid_dpop_proof', error_description: 'A DPoP proof is required.' } });
  });
});

describe('Shared Signals (CAEP session-revoked)', () => {
  const push = (set: string, type = 'application/secevent+jwt') => verifier.receiveSet({ method: 'POST', url: '/ssf', headers: new Headers({ 'Content-Type': type }) }, set);

  it('a session-revoked event refuses the JWTs issued before it for that grant; a token issued after it is accepted', async () => {
    const before = await issuer.accessToken({ grant_id: 'grant-revoked', iat: now() - 5 });
    const otherGrant = await issuer.accessToken({ grant_id: 'grant-kept', iat: now() - 5 });
    expect((await verifier.verify(get({ Authorization: `Bearer ${before}` }))).ok).toBe(true);
    const set = await issuer.set({ sub_id: { format: 'opaque', id: 'grant-revoked' }, events: { [CAEP.sessionRevoked]: { event_timestamp: now() - 1 } } });
    const answer = await push(set);
    expect(answer.status).toBe(202);
    expect(answer.received?.revocations).toHaveLength(1);
    const refused = await verifier.verify(get({ Authorization: `Bearer ${before}` }));
    expect(refused.ok ? null : refused.answer.body).toEqual({ error: 'invalid_token', error_description: 'The access token was revoked.' });
    expect((await verifier.verify(get({ Authorization: `Bearer ${otherGrant}` }))).ok).toBe(true);
    const after = await issuer.accessToken({ grant_id: 'grant-revoked', iat: now() });
    expect((await verifier.verify(get({ Authorization: `Bearer ${after}` }))).ok).toBe(true);
  });

  it('a complex subject (an agent for a user) refuses that pair only', async () => {
    const mine = await issuer.accessToken({ client_id: 'agent-killed', sub: 'user-9', iat: now() - 5 });
    const otherUser = await issuer.accessToken({ client_id: 'agent-killed', sub: 'user-10', iat: now() - 5 });
    const set = await issuer.set({
      sub_id: { format: 'complex', application: { format: 'opaque', id: 'agent-killed' }, user: { format: 'opaque', id: 'user-9' } },
      events: { [CAEP.sessionRevoked]: { event_timestamp: now() } },
    });
    expect((await push(set)).status).toBe(202);
    expect((await verifier.verify(get({ Authorization: `Bearer ${mine}` }))).ok).toBe(false);
    expect((await verifier.verify(get({ Authorization: `Bearer ${otherUser}` }))).ok).toBe(true);
  });

  it("Leash's subjects (docs/shared-signals.md): a token member revokes that token only; a token-claims-change leaves JWTs valid", async () => {
    const iss = issuer.issuer;
    const claims = { client_id: 'agent-5', sub: 'user-5', grant_id: 'grant-5', iat: now() - 5 };
    const revoked = await issuer.accessToken({ ...claims, jti: 'token-5a' });
    const sibling = await issuer.accessToken({ ...claims, jti: 'token-5b' });
    const subject = (jti?: string) => ({
      format: 'complex',
      ...(jti ? { token: { format: 'jwt_id', iss, jti } } : {}),
      session: { format: 'opaque', id: 'grant-5' },
      application: { format: 'opaque', id: 'agent-5' },
      user: { format: 'iss_sub', iss, sub: 'user-5' },
    });
    expect(
      (await push(await issuer.set({ sub_id: subject('token-5a'), events: { [CAEP.sessionRevoked]: { event_timestamp: now(), reason_admin: { en: 'revoked by the client (RFC 7009)' } } } }))).status,
    ).toBe(202);
    expect((await verifier.verify(get({ Authorization: `Bearer ${revoked}` }))).ok).toBe(false);
    expect((await verifier.verify(get({ Authorization: `Bearer ${sibling}` }))).ok).toBe(true);
    expect((await push(await issuer.set({ sub_id: subject(), events: { [CAEP.tokenClaimsChange]: { event_timestamp: now(), claims: { policy_version: 7 } } } }))).status).toBe(202);
    expect((await verifier.verify(get({ Authorization: `Bearer ${sibling}` }))).ok).toBe(true);
    // The kill switch: the grant's session-revoked, no token member.
    expect((await push(await issuer.set({ sub_id: subject(), events: { [CAEP.sessionRevoked]: { event_timestamp: now(), reason_admin: { en: 'grant suspended (kill switch)' } } } }))).status).toBe(
      202,
    );
    expect((await verifier.verify(get({ Authorization: `Bearer ${sibling}` }))).ok).toBe(false);
  });

  it('refuses SETs that are not secevent+jwt, not for this resource, from another issuer or signed with another key (RFC 8935 §2.3)', async () => {
    const events = { [CAEP.sessionRevoked]: { event_timestamp: now() } };
    const sub_id = { format: 'opaque', id: 'whatever' };
    const foreign = await startTestIssuer(RESOURCE);
    try {
      const cases: [string, string][] = [
        [await issuer.set({ sub_id, events }, { typ: 'JWT' }), 'invalid_request'],
        [await issuer.set({ sub_id, events, aud: 'https://other.example/api' }), 'invalid_audience'],
        [await issuer.set({ sub_id, events, iss: 'https://evil.example' }), 'invalid_issuer'],
        [await foreign.set({ sub_id, events, iss: issuer.issuer }, { kid: 'test-2' }), 'invalid_key'],
      ];
      for (const [set, err] of cases) {
        const answer = await push(set);
        expect([answer.status, answer.body?.err]).toEqual([400, err]);
      }
      expect((await push(await issuer.set({ sub_id, events }), 'application/jwt')).body?.err).toBe('invalid_request');
    } finally {
      await foreign.close();
    }
  });
});

describe('policy decisions (AuthZEN answers → refusals)', () => {
  it('reads allow, deny, step-up and approval from the PDP answer', () => {
    expect(readDecision({ decision: true })).toEqual({ kind: 'allow' });
    expect(readDecision({ decision: false, context: { reason_user: { en: 'amount over 500 EUR' }, policy_rule: 'R2' } })).toEqual({ kind: 'deny', reason: 'amount over 500 EUR', rule: 'R2' });
    expect(readDecision({ decision: false, context: { outcome: 'step_up', reason: 'a large order', acr_values: 'urn:leash:acr:mfa' } })).toMatchObject({
      kind: 'step_up',
      acrValues: 'urn:leash:acr:mfa',
    });
    expect(readDecision({ decision: false, context: { outcome: 'approval', reason: 'orders need approval' } })).toMatchObject({ kind: 'approval', reason: 'orders need approval' });
    // Leash's answer when it cannot decide about the subject (AuthZEN §7.2.1 error context).
    expect(readDecision({ decision: false, context: { error: { status: 401, message: 'The access token is not active for this resource.' } } })).toEqual({
      kind: 'error',
      status: 401,
      reason: 'The access token is not active for this resource.',
    });
    expect(() => readDecision({ decision: 'yes' })).toThrow('without a boolean decision');
  });

  it('writes the RFC 9470 step-up challenge with acr_values and max_age', () => {
    const refusal = new Refusal('insufficient_user_authentication', 'This action needs a second factor (a large order).', {
      status: 401,
      challenge: 'step-up',
      acrValues: 'urn:leash:acr:mfa',
      maxAge: 300,
    });
    expect(challengeHeader(refusal, { resourceMetadataUrl: METADATA, dpopAlgs: [] })).toBe(
      `Bearer error="insufficient_user_authentication", error_description="This action needs a second factor (a large order).", acr_values="urn:leash:acr:mfa", max_age=300, resource_metadata="${METADATA}"`,
    );
  });
});
