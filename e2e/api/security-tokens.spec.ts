// Attacks at the token endpoint: scope and audience escalation through refresh and through token
// exchange, DPoP proof replay and htu/htm mismatch at the token endpoint (the resource-server side
// is in dpop.spec.ts), and private_key_jwt assertion replay by jti (the byte-identical replay is in
// oauth-private-key-jwt.spec.ts). Refresh reuse revoking the family is in oauth-authorization-code.spec.ts.
// @see f750d00 (A refresh asking for more scope or another): the commit whose behaviour these tests guard.
import crypto from 'node:crypto';
import * as jose from 'jose';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { testDb } from '../support/db';
import { createAccount, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { delegatedToken, setPolicy } from '../support/delegation';
import { AGENT_CALLBACK, authorizeOverHttp, basic, clientCredentialsToken, exchangeCode, pkce, registerClient, registerMachineClient, registerPublicAgent } from '../support/oauth';
import { actorAgent, exchange } from '../support/token-exchange';

test.use({ extraHTTPHeaders: { 'X-Forwarded-For': uniqueIp() } });

const tokensOf = async (clientId: string) =>
  (await testDb().query('SELECT kind, scopes, revoked_at IS NOT NULL AS revoked FROM tokens WHERE agent_id = (SELECT id FROM agents WHERE client_id = $1) ORDER BY created_at, kind', [clientId])).rows;

test.describe('scope escalation through refresh (RFC 6749 §6, RFC 8707 §2.2)', () => {
  test('a scope the user unticked and a resource never granted are refused; nothing is issued and the refresh token stays usable', async ({ request, baseURL }) => {
    const user = await createAccount(request, baseURL, { email: uniqueEmail('sec-refresh'), password: 'a-long-enough-passphrase' });
    expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
    const client = await registerPublicAgent(request);
    const { verifier, challenge } = pkce();
    // The agent asks for reports:read too; the user unticks it on the consent screen.
    const back = await authorizeOverHttp(
      request,
      baseURL!,
      {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: AGENT_CALLBACK,
        scope: 'datasets:read reports:read offline_access',
        resource: `${baseURL}/api`,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      { scopes: ['datasets:read', 'offline_access'] },
    );
    const tokens = await (await exchangeCode(request, client, back.searchParams.get('code')!, verifier)).json();
    expect(tokens.scope).toBe('datasets:read offline_access');
    const refresh = (extra: Record<string, string>) =>
      request.post('/oauth/token', { form: { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: tokens.refresh_token, ...extra } });

    for (const scope of ['datasets:read reports:read', 'reports:read', 'payments:write']) {
      const wider = await refresh({ scope });
      expect(wider.status(), scope).toBe(400);
      expect(await wider.json()).toEqual({ error: 'invalid_scope', error_description: expect.stringContaining('The refresh token does not cover:') });
    }
    const otherResource = await refresh({ resource: `${baseURL}/mcp` });
    expect(otherResource.status()).toBe(400);
    expect((await otherResource.json()).error).toBe('invalid_target');
    expect(await tokensOf(client.client_id)).toEqual([
      { kind: 'ACCESS', scopes: ['datasets:read', 'offline_access'], revoked: false },
      { kind: 'REFRESH', scopes: ['datasets:read', 'offline_access'], revoked: false },
    ]);

    // RFC 6749 §6: the old refresh token may be revoked only once a new one is issued. The refused
    // requests issued nothing, so the agent's refresh token still works, and no theft was raised.
    const ok = await refresh({});
    expect(ok.status(), await ok.text()).toBe(200);
    expect((await ok.json()).scope).toBe('datasets:read offline_access');
    const alerts = await testDb().query('SELECT count(*)::int AS n FROM alerts WHERE agent_id = (SELECT id FROM agents WHERE client_id = $1)', [client.client_id]);
    expect(alerts.rows[0].n).toBe(0);
  });
});

const exchangedTokens = async (userId: string) => (await testDb().query('SELECT count(*)::int AS n FROM tokens WHERE user_id = $1 AND actor IS NOT NULL', [userId])).rows[0].n as number;

test.describe('escalation through token exchange (RFC 8693 §2.1, §2.2.2)', () => {
  test('a refresh token or an agent’s own machine token cannot be the subject', async ({ request, baseURL }) => {
    const subject = await delegatedToken(request, baseURL!, 'datasets:read offline_access');
    const actor = await actorAgent(request, 'Escalating sub-agent');
    await setPolicy(subject, { mayAct: [actor.client.client_id] });
    const machine = await registerMachineClient(request);
    const machineToken = await clientCredentialsToken(request, machine, { scope: 'datasets:read' });
    for (const [name, form, error] of [
      ['a refresh token typed as an access token', { subject_token: subject.refreshToken! }, 'invalid_grant'],
      ['a refresh token typed as one', { subject_token: subject.refreshToken!, subject_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }, 'invalid_request'],
      ['a token no user delegated', { subject_token: machineToken }, 'invalid_grant'],
    ] as const) {
      const response = await exchange(request, actor, form);
      expect(response.status(), name).toBe(400);
      expect((await response.json()).error, name).toBe(error);
    }
    expect(await exchangedTokens(subject.userId)).toBe(0);
  });

  test('the exchanged token never outlives the subject token, and a second hop cannot widen the first', async ({ request, baseURL }) => {
    const subject = await delegatedToken(request, baseURL!, 'datasets:read reports:read');
    const first = await actorAgent(request, 'First hop');
    await setPolicy(subject, { mayAct: [first.client.client_id] });
    // The subject token has 20 seconds left; the actor's policy would allow 600.
    await testDb().query("UPDATE tokens SET expires_at = now() + interval '20 seconds' WHERE user_id = $1 AND kind = 'ACCESS'", [subject.userId]);
    const hop = await exchange(request, first, { subject_token: subject.token, scope: 'reports:read' });
    expect(hop.status(), await hop.text()).toBe(200);
    const exchanged = await hop.json();
    expect(exchanged.expires_in).toBeLessThanOrEqual(20);
    const { rows } = await testDb().query(
      "SELECT bool_and(x.expires_at <= s.expires_at) AS bounded FROM tokens x, tokens s WHERE x.user_id = $1 AND x.actor IS NOT NULL AND s.user_id = $1 AND s.kind = 'ACCESS' AND s.actor IS NULL",
      [subject.userId],
    );
    expect(rows[0].bounded).toBe(true);

    const second = await actorAgent(request, 'Second hop');
    const firstAgentId = (await testDb().query('SELECT id FROM agents WHERE client_id = $1', [first.client.client_id])).rows[0].id;
    await setPolicy({ userId: subject.userId, agentId: firstAgentId }, { mayAct: [second.client.client_id] });
    for (const scope of ['datasets:read', 'reports:read reports:write', 'offline_access']) {
      const widened = await exchange(request, second, { subject_token: exchanged.access_token, scope });
      expect(widened.status(), scope).toBe(400);
      expect((await widened.json()).error, scope).toBe('invalid_scope');
    }
    expect(await exchangedTokens(subject.userId)).toBe(1);
  });

  test('asking only for offline_access gets no token (no refresh through exchange), and the refusal is audited', async ({ request, baseURL }) => {
    const subject = await delegatedToken(request, baseURL!, 'datasets:read offline_access');
    const actor = await actorAgent(request, 'Offline sub-agent');
    await setPolicy(subject, { mayAct: [actor.client.client_id] });
    const response = await exchange(request, actor, { subject_token: subject.token, scope: 'offline_access' });
    expect(response.status()).toBe(400);
    expect((await response.json()).error).toBe('invalid_scope');
    expect(await exchangedTokens(subject.userId)).toBe(0);
    const { rows } = await testDb().query("SELECT decision FROM audit_events WHERE user_id = $1 AND action = 'token.exchange'", [subject.userId]);
    expect(rows).toEqual([{ decision: 'DENY' }]);
  });
});

test.describe('DPoP proofs at the token endpoint (RFC 9449 §4.3, §11.1)', () => {
  const newKey = () => jose.generateKeyPair('ES256', { extractable: true }) as Promise<CryptoKeyPair>;
  async function proof(key: CryptoKeyPair, htm: string, htu: string, extra: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
    const jwk = await jose.exportJWK(key.publicKey);
    return new jose.SignJWT({ htm, htu, jti: crypto.randomUUID(), iat: Math.floor(Date.now() / 1000), ...extra })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...header })
      .sign(key.privateKey);
  }
  const unsigned = (header: Record<string, unknown>, payload: Record<string, unknown>) =>
    `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;

  test('a replayed proof, and proofs for another URL, method, algorithm or with a private key, are refused', async ({ request, baseURL }) => {
    const client = await registerMachineClient(request);
    const key = await newKey();
    const tokenUrl = `${baseURL}/oauth/token`;
    const asked = await request.post('/oauth/token', { headers: { DPoP: await proof(key, 'POST', tokenUrl) }, form: { grant_type: 'client_credentials' } });
    expect(asked.status()).toBe(400);
    expect((await asked.json()).error).toBe('use_dpop_nonce');
    const nonce = asked.headers()['dpop-nonce']!;
    const post = (dpop: string) =>
      request.post('/oauth/token', {
        headers: { Authorization: basic(client.client_id, client.client_secret!), DPoP: dpop },
        form: { grant_type: 'client_credentials', scope: 'datasets:read' },
      });

    const good = await proof(key, 'POST', tokenUrl, { nonce });
    const first = await post(good);
    expect(first.status(), await first.text()).toBe(200);
    expect((await first.json()).token_type).toBe('DPoP');
    // §11.1: the same proof a second time (a captured request replayed).
    const replay = await post(good);
    expect(replay.status()).toBe(400);
    expect(await replay.json()).toEqual({ error: 'invalid_dpop_proof', error_description: 'This DPoP proof was already used.' });

    const jwk = await jose.exportJWK(key.publicKey);
    const privateJwk = await jose.exportJWK(key.privateKey);
    const now = Math.floor(Date.now() / 1000);
    const refused: [string, string, string][] = [
      ['another host (htu)', await proof(key, 'POST', 'https://evil.example/oauth/token', { nonce }), 'The proof was made for another URL (htu).'],
      ['another endpoint (htu)', await proof(key, 'POST', `${baseURL}/oauth/par`, { nonce }), 'The proof was made for another URL (htu).'],
      ['another port (htu)', await proof(key, 'POST', `${new URL(baseURL!).protocol}//${new URL(baseURL!).hostname}:1/oauth/token`, { nonce }), 'The proof was made for another URL (htu).'],
      ['another method (htm)', await proof(key, 'GET', tokenUrl, { nonce }), 'The proof was made for another HTTP method (htm).'],
      [
        'alg none',
        unsigned({ alg: 'none', typ: 'dpop+jwt', jwk }, { htm: 'POST', htu: tokenUrl, jti: crypto.randomUUID(), iat: now, nonce }),
        'Unsupported proof algorithm; use one of ES256, ES384, EdDSA, RS256, PS256.',
      ],
      [
        'a MAC (HS256)',
        await new jose.SignJWT({ htm: 'POST', htu: tokenUrl, jti: crypto.randomUUID(), iat: now, nonce })
          .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'c2VjcmV0' } as unknown as jose.JWK })
          .sign(new TextEncoder().encode('secret')),
        'Unsupported proof algorithm; use one of ES256, ES384, EdDSA, RS256, PS256.',
      ],
      ['a private key in the header', await proof(key, 'POST', tokenUrl, { nonce }, { jwk: privateJwk }), 'The proof header must carry a public key only.'],
      ['typ JWT', await proof(key, 'POST', tokenUrl, { nonce }, { typ: 'JWT' }), 'The proof must have typ "dpop+jwt".'],
      [
        'another key’s signature',
        await new jose.SignJWT({ htm: 'POST', htu: tokenUrl, jti: crypto.randomUUID(), iat: now, nonce }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).sign((await newKey()).privateKey),
        'The DPoP proof is malformed or its signature does not verify.',
      ],
    ];
    for (const [name, dpop, description] of refused) {
      const response = await post(dpop);
      expect(response.status(), name).toBe(400);
      expect(await response.json(), name).toEqual({ error: 'invalid_dpop_proof', error_description: description });
    }
    expect(await tokensOf(client.client_id)).toEqual([{ kind: 'ACCESS', scopes: ['datasets:read'], revoked: false }]);
  });
});

test.describe('private_key_jwt assertion replay (RFC 7523 §3, RFC 9700 §2.5)', () => {
  const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
  async function keyedClient(request: APIRequestContext) {
    const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const client = await registerClient(request, {
      client_name: 'Key-holding agent',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] },
      scope: 'reports:read',
    });
    return { client, privateKey };
  }
  function assertion(clientId: string, key: jose.CryptoKey, audience: string, claims: { jti?: string | null; iat?: number } = {}) {
    const now = claims.iat ?? Math.floor(Date.now() / 1000);
    const jwt = new jose.SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 60);
    if (claims.jti !== null) jwt.setJti(claims.jti ?? crypto.randomUUID());
    return jwt.sign(key);
  }
  const form = (jwt: string) => ({ client_assertion_type: ASSERTION_TYPE, client_assertion: jwt });
  const invalidClient = { error: 'invalid_client', error_description: 'The client assertion is invalid, expired or was already used.' };

  test('a freshly signed assertion reusing a jti, one without a jti, and one already spent at another endpoint are refused', async ({ request, baseURL }) => {
    const { client, privateKey } = await keyedClient(request);
    const audience = `${baseURL}/oauth/token`;
    const jti = crypto.randomUUID();
    const first = await request.post('/oauth/token', { form: { grant_type: 'client_credentials', ...form(await assertion(client.client_id, privateKey, audience, { jti })) } });
    expect(first.status()).toBe(200);
    // Same jti, new iat and signature: a different JWT, the same assertion identity.
    const again = await assertion(client.client_id, privateKey, audience, { jti, iat: Math.floor(Date.now() / 1000) - 3 });
    const reused = await request.post('/oauth/token', { form: { grant_type: 'client_credentials', ...form(again) } });
    expect(reused.status()).toBe(401);
    expect(await reused.json()).toEqual(invalidClient);
    // Without a jti nothing could be remembered, so nothing is accepted.
    const noJti = await request.post('/oauth/token', { form: { grant_type: 'client_credentials', ...form(await assertion(client.client_id, privateKey, audience, { jti: null })) } });
    expect(noJti.status()).toBe(401);
    expect(await noJti.json()).toEqual(invalidClient);
    // An assertion spent at the revocation endpoint cannot then buy a token.
    const spent = await assertion(client.client_id, privateKey, audience);
    const revoke = await request.post('/oauth/revoke', { form: { token: 'lsh_at_unknown', ...form(spent) } });
    expect(revoke.status()).toBe(200);
    const replayed = await request.post('/oauth/token', { form: { grant_type: 'client_credentials', ...form(spent) } });
    expect(replayed.status()).toBe(401);
    expect(await replayed.json()).toEqual(invalidClient);

    expect(await tokensOf(client.client_id)).toEqual([{ kind: 'ACCESS', scopes: ['reports:read'], revoked: false }]);
    const { rows } = await testDb().query('SELECT count(*)::int AS n FROM used_client_assertions WHERE id = $1', [crypto.createHash('sha256').update(`${client.client_id}\0${jti}`).digest('hex')]);
    expect(rows[0].n).toBe(1);
  });
});
