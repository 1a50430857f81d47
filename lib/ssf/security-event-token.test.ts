// The SETs Leash pushes (RFC 8417 as SSF 1.0 §4 profiles it): claims, subjects, signature, and the
// retry schedule of lib/ssf/delivery-worker.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { closeDb } from '@/lib/db/client';
import { listPublishedKeys } from '@/lib/keys/list-published-keys';
import { retryDelayMs } from './delivery-worker';
import { setClaims, signSecurityEventToken, SET_TYP } from './security-event-token';

afterAll(closeDb);

const issuer = 'https://leash.example.com';
const audience = 'https://orders.example.com/api';
const createdAt = new Date('2026-01-02T03:04:05.678Z');
const at = Math.floor(createdAt.getTime() / 1000);

describe('security event tokens', () => {
  it('a revoked token: session-revoked whose complex subject names the token, grant, agent and user', () => {
    const claims = setClaims(
      { id: 'jti-1', eventType: 'session-revoked', txn: '42', createdAt, facts: { token_id: 't1', grant_id: 'g1', client_id: 'agent_1', user_id: 'u1', reason: 'revoked by the user' } },
      { issuer, audience },
    );
    expect(claims).toEqual({
      iss: issuer,
      aud: audience,
      jti: 'jti-1',
      iat: at,
      txn: '42',
      sub_id: {
        format: 'complex',
        token: { format: 'jwt_id', iss: issuer, jti: 't1' },
        session: { format: 'opaque', id: 'g1' },
        application: { format: 'opaque', id: 'agent_1' },
        user: { format: 'iss_sub', iss: issuer, sub: 'u1' },
      },
      events: { 'https://schemas.openid.net/secevent/caep/event-type/session-revoked': { event_timestamp: at, reason_admin: { en: 'revoked by the user' } } },
    });
  });

  it('an agent acting as itself has no user member; a policy change carries the new version', () => {
    const own = setClaims({ id: 'j', eventType: 'session-revoked', txn: '1', createdAt, facts: { token_id: 't', grant_id: null, client_id: 'agent_2', user_id: null } }, { issuer, audience });
    expect(own.sub_id).toEqual({ format: 'complex', token: { format: 'jwt_id', iss: issuer, jti: 't' }, application: { format: 'opaque', id: 'agent_2' } });
    const policy = setClaims({ id: 'j', eventType: 'token-claims-change', txn: '1', createdAt, facts: { client_id: 'agent_2', user_id: 'u', claims: { policy_version: 3 } } }, { issuer, audience });
    expect(policy.events).toEqual({ 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change': { event_timestamp: at, claims: { policy_version: 3 } } });
  });

  it('the verification event is about the stream and echoes the state (SSF §8.1.4.1)', () => {
    const claims = setClaims({ id: 'j', eventType: 'verification', txn: '1', createdAt, facts: { stream_id: 's1', state: 'abc' } }, { issuer, audience });
    expect(claims.sub_id).toEqual({ format: 'opaque', id: 's1' });
    expect(claims.events).toEqual({ 'https://schemas.openid.net/secevent/ssf/event-type/verification': { state: 'abc' } });
    expect(() => setClaims({ id: 'j', eventType: 'account-purged', txn: '1', createdAt, facts: {} }, { issuer, audience })).toThrow(/unknown SSF event type/);
  });

  it('is signed ES256 with a published key, typed secevent+jwt, without sub or exp', async () => {
    const claims = setClaims({ id: 'j', eventType: 'session-revoked', txn: '1', createdAt, facts: { token_id: 't', client_id: 'a' } }, { issuer, audience });
    const set = await signSecurityEventToken(claims);
    const { payload, protectedHeader } = await jwtVerify(set, createLocalJWKSet({ keys: await listPublishedKeys() }), { issuer, audience, typ: SET_TYP, currentDate: createdAt });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'secevent+jwt' });
    expect(payload).toEqual(claims);
    expect(payload.sub).toBeUndefined();
    expect(payload.exp).toBeUndefined();
  });
});

describe('retry schedule', () => {
  it('doubles from 1 s up to 5 minutes, with ±20% jitter', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(30, 0.5)).toBe(300_000);
    expect(retryDelayMs(1, 0)).toBe(800);
    expect(retryDelayMs(1, 1)).toBe(1200);
  });
});
