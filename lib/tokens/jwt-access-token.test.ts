// RFC 9068 JWT access tokens: the claims built from what the token row holds, and the signed form a
// resource server verifies with nothing but the published keys.
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { closeDb } from '@/lib/db/client';
import { ensureSigningKey } from '@/lib/keys/ensure-signing-key';
import { listPublishedKeys } from '@/lib/keys/list-published-keys';
import { isWellFormedJwtAccessToken, jwtAccessTokenClaims, signJwtAccessToken } from './jwt-access-token';
import { mintToken, TOKEN_PREFIX } from './opaque-token';

afterAll(closeDb);

const issuer = 'https://leash.example';
const issuedAt = new Date('2026-12-05T10:00:00.000Z');
const expiresAt = new Date('2026-12-05T10:05:00.000Z');
const base = { issuer, tokenId: '0193a1b2-0000-7000-8000-000000000001', clientId: 'agent-client', issuedAt, expiresAt };

describe('JWT access token claims (RFC 9068 §2.2)', () => {
  it("a user's delegated, DPoP-bound token carries every fact introspection gives", () => {
    const claims = jwtAccessTokenClaims({
      ...base,
      subject: {
        agentId: 'agent-row-id',
        userId: 'user-id',
        grantId: 'grant-id',
        scopes: ['orders:write', 'orders:read'],
        audience: ['https://api.shop.example'],
        authorizationDetails: [{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '12.00' } }],
        acr: 'urn:leash:acr:mfa',
        amr: ['pwd', 'otp'],
        authTime: new Date('2026-12-05T09:58:30.900Z'),
        dpopJkt: 'thumbprint',
        actor: { sub: 'acting-agent', act: { sub: 'first-agent' } },
        jit: true,
        policyVersion: 7,
      },
    });
    expect(claims).toEqual({
      iss: issuer,
      aud: 'https://api.shop.example',
      sub: 'user-id',
      client_id: 'agent-client',
      iat: Date.UTC(2026, 11, 5, 10) / 1000,
      exp: Date.UTC(2026, 11, 5, 10, 5) / 1000,
      jti: base.tokenId,
      scope: 'orders:read orders:write',
      auth_time: Date.UTC(2026, 11, 5, 9, 58, 30) / 1000,
      acr: 'urn:leash:acr:mfa',
      amr: ['pwd', 'otp'],
      act: { sub: 'acting-agent', act: { sub: 'first-agent' } },
      cnf: { jkt: 'thumbprint' },
      authorization_details: [{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '12.00' } }],
      grant_id: 'grant-id',
      policy_version: 7,
      jit: true,
    });
  });

  it('an agent acting as itself (client_credentials) is the subject, and nothing unknown is claimed', () => {
    const claims = jwtAccessTokenClaims({ ...base, subject: { agentId: 'agent-row-id', scopes: ['orders:read'], audience: ['https://api.shop.example'] } });
    expect(claims).toEqual({
      iss: issuer,
      aud: 'https://api.shop.example',
      sub: 'agent-client',
      client_id: 'agent-client',
      iat: Date.UTC(2026, 11, 5, 10) / 1000,
      exp: Date.UTC(2026, 11, 5, 10, 5) / 1000,
      jti: base.tokenId,
      scope: 'orders:read',
    });
  });

  it('policy version 0 (the defaults) is still a version', () => {
    expect(jwtAccessTokenClaims({ ...base, subject: { agentId: 'a', userId: 'u', scopes: [], audience: ['https://a.example'], policyVersion: 0 } })).toMatchObject({ policy_version: 0 });
  });
});

describe('signed JWT access tokens', () => {
  it('are ES256 with typ at+jwt and the active kid, and verify against the published keys', async () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const claims = jwtAccessTokenClaims({
      ...base,
      issuedAt: now,
      expiresAt: new Date(now.getTime() + 300_000),
      subject: { agentId: 'a', scopes: ['orders:read'], audience: ['https://api.shop.example'] },
    });
    const { token, kid } = await signJwtAccessToken(claims);
    expect(kid).toBe((await ensureSigningKey()).kid);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid });
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: await listPublishedKeys() }), { typ: 'at+jwt', issuer, audience: 'https://api.shop.example', algorithms: ['ES256'] });
    expect(payload).toEqual(claims);
    await expect(jwtVerify(token, createLocalJWKSet({ keys: await listPublishedKeys() }), { audience: 'https://other.example' })).rejects.toThrow(/aud/);
    expect(isWellFormedJwtAccessToken(token)).toBe(true);
  });

  it('only a JWS typed at+jwt passes the cheap filter before the lookup', async () => {
    const key = await ensureSigningKey();
    const typed = (typ: string | undefined) => new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid: key.kid, ...(typ ? { typ } : {}) }).sign(key.privateKey);
    expect(isWellFormedJwtAccessToken(await typed('at+jwt'))).toBe(true);
    // An ID token or any other JWT is not an access token (RFC 9068 §4 step 1, RFC 8725 §3.11).
    expect(isWellFormedJwtAccessToken(await typed('JWT'))).toBe(false);
    expect(isWellFormedJwtAccessToken(await typed(undefined))).toBe(false);
    expect(isWellFormedJwtAccessToken(mintToken(TOKEN_PREFIX.accessToken))).toBe(false);
    expect(isWellFormedJwtAccessToken('eyJ.e30.')).toBe(false);
    expect(isWellFormedJwtAccessToken(`eyJ${'A'.repeat(20_000)}.e30.sig`)).toBe(false);
    expect(isWellFormedJwtAccessToken('eyJub3QganNvbg.e30.c2ln')).toBe(false);
  });
});
