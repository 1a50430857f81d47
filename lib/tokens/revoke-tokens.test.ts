// The selectors of revokeTokens on the real database: each takes exactly what its definition says
// (lib/tokens/revoke-tokens.ts), and nothing else.
import crypto from 'node:crypto';
import { createTestAuthorizationRequest } from '../../tests/support/authorization-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, db } from '@/lib/db/client';
import { createAccessToken, createRefreshToken } from '@/lib/tokens/issue-access-token';
import { revokeTokens, revoking, tokenWithFamily, type TokenSelector } from '@/lib/tokens/revoke-tokens';

afterAll(closeDb);

let userId: string;
let otherUserId: string;
let agentId: string;
let otherAgentId: string;

beforeAll(async () => {
  const suffix = crypto.randomUUID();
  const user = (email: string) => db().user.create({ data: { email, passwordHash: 'x' }, select: { id: true } });
  const agent = (clientId: string) => db().agent.create({ data: { clientId, name: 'Revocation test agent', registration: 'DCR' }, select: { id: true } });
  userId = (await user(`revoke-${suffix}@example.test`)).id;
  otherUserId = (await user(`revoke-other-${suffix}@example.test`)).id;
  agentId = (await agent(`revoke-${suffix}`)).id;
  otherAgentId = (await agent(`revoke-other-${suffix}`)).id;
});

/**
 * A small world: one grant with two refresh families (one issued from an authorization request),
 * each with an access token, plus an access token of another grant, another agent and another user.
 */
async function world() {
  const grant = await db().grant.create({ data: { userId, agentId, scopes: ['datasets:read'], resources: [] }, select: { id: true } });
  const otherGrant = await db().grant.create({ data: { userId, agentId, scopes: ['datasets:read'], resources: [] }, select: { id: true } });
  const requestId = await createTestAuthorizationRequest(agentId);
  const subject = { agentId, userId, grantId: grant.id, scopes: ['datasets:read'], audience: [] };
  const familyA = crypto.randomUUID();
  const familyB = crypto.randomUUID();
  const later = new Date(Date.now() + 3_600_000);
  const ids = await db().$transaction(async (tx) => {
    const id = async (issued: Promise<{ id: string }>) => (await issued).id;
    const opts = { grantType: 'test', ip: '127.0.0.1' };
    return {
      refreshA1: await id(createRefreshToken(tx, { ...subject, authorizationRequestId: requestId }, { ...opts, familyId: familyA, expiresAt: later })),
      refreshA2: await id(createRefreshToken(tx, subject, { ...opts, familyId: familyA, expiresAt: later })),
      accessA: await id(createAccessToken(tx, { ...subject, authorizationRequestId: requestId }, opts)),
      refreshB: await id(createRefreshToken(tx, subject, { ...opts, familyId: familyB, expiresAt: later })),
      accessB: await id(createAccessToken(tx, subject, opts)),
      accessOtherGrant: await id(createAccessToken(tx, { ...subject, grantId: otherGrant.id }, opts)),
      accessOtherAgent: await id(createAccessToken(tx, { ...subject, agentId: otherAgentId, grantId: null }, opts)),
      accessOtherUser: await id(createAccessToken(tx, { ...subject, userId: otherUserId, grantId: null }, opts)),
    };
  });
  return { grantId: grant.id, requestId, familyA, ids };
}

type Ids = Awaited<ReturnType<typeof world>>['ids'];

async function revokedOf(ids: Ids): Promise<string[]> {
  const rows = await db().token.findMany({ where: { id: { in: Object.values(ids) }, revokedAt: { not: null } }, select: { id: true } });
  const names = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
  return rows.map((r) => names[r.id]!).sort();
}

async function revoke(select: TokenSelector | TokenSelector[], options?: { ownedBy?: string }) {
  return revoking((tx) => revokeTokens(tx, select, 'test', options));
}

describe('revokeTokens', () => {
  it('{ id } takes one token; { id, unused } only while it was never used', async () => {
    const { ids } = await world();
    expect(await revoke({ id: ids.accessA })).toBe(1);
    await db().token.update({ where: { id: ids.refreshB }, data: { usedAt: new Date() } });
    expect(await revoke({ id: ids.refreshB, unused: true })).toBe(0);
    expect(await revoke({ id: ids.refreshA2, unused: true })).toBe(1);
    expect(await revokedOf(ids)).toEqual(['accessA', 'refreshA2']);
  });

  it('{ family } takes every rotation of a refresh token and nothing else', async () => {
    const { ids, familyA } = await world();
    expect(await revoke({ family: familyA })).toBe(2);
    expect(await revokedOf(ids)).toEqual(['refreshA1', 'refreshA2']);
  });

  it('a refresh token with its family takes its grant’s access tokens too (RFC 7009 §2.1, RFC 9700 §4.14.2)', async () => {
    const { ids, familyA, grantId } = await world();
    const selectors = tokenWithFamily({ id: ids.refreshA2, kind: 'REFRESH', familyId: familyA, grantId });
    expect(await revoke(selectors)).toBe(4);
    expect(await revokedOf(ids)).toEqual(['accessA', 'accessB', 'refreshA1', 'refreshA2']);
    expect(tokenWithFamily({ id: ids.accessA, kind: 'ACCESS', familyId: null, grantId })).toEqual([{ id: ids.accessA }]);
  });

  it('{ request } takes the tokens issued from the request and their whole families', async () => {
    const { ids, requestId } = await world();
    expect(await revoke({ request: requestId })).toBe(3);
    expect(await revokedOf(ids)).toEqual(['accessA', 'refreshA1', 'refreshA2']);
  });

  it('{ agent, user }, { user } and { agent } take what the agent holds for the user, the user’s, the agent’s', async () => {
    const first = await world();
    expect(await revoke({ agent: agentId, user: userId })).toBeGreaterThanOrEqual(6);
    expect(await revokedOf(first.ids)).toEqual(['accessA', 'accessB', 'accessOtherGrant', 'refreshA1', 'refreshA2', 'refreshB']);
    const second = await world();
    await revoke({ user: otherUserId });
    expect(await revokedOf(second.ids)).toEqual(['accessOtherUser']);
    await revoke({ agent: otherAgentId });
    expect(await revokedOf(second.ids)).toEqual(['accessOtherAgent', 'accessOtherUser']);
  });

  it('{ apiKey } takes the tokens exchanged for that key and nothing else', async () => {
    const { ids, grantId } = await world();
    const key = (n: number) =>
      db().apiKey.create({
        data: {
          userId,
          agentId,
          name: `k${n}`,
          keyHash: crypto.randomBytes(32).toString('hex'),
          hint: 'lsh_ak_test',
          scopes: ['datasets:read'],
          ipRanges: [],
          expiresAt: new Date(Date.now() + 86_400_000),
        },
        select: { id: true },
      });
    const [one, two] = [await key(1), await key(2)];
    const subject = { agentId, userId, grantId, scopes: ['datasets:read'], audience: [] };
    const opts = { grantType: 'token_exchange', ip: '127.0.0.1' };
    const minted = await db().$transaction(async (tx) => ({
      fromOne: (await createAccessToken(tx, { ...subject, apiKeyId: one.id }, opts)).id,
      alsoFromOne: (await createAccessToken(tx, { ...subject, apiKeyId: one.id }, opts)).id,
      fromTwo: (await createAccessToken(tx, { ...subject, apiKeyId: two.id }, opts)).id,
    }));
    expect(await revoke({ apiKey: one.id })).toBe(2);
    expect(await revokedOf({ ...ids, ...minted } as Ids)).toEqual(['alsoFromOne', 'fromOne']);
  });

  it('ownedBy restricts any selector to one user’s tokens; a revoked token is not revoked twice', async () => {
    const { ids } = await world();
    expect(await revoke({ id: ids.accessOtherUser }, { ownedBy: userId })).toBe(0);
    expect(await revoke({ id: ids.accessA }, { ownedBy: userId })).toBe(1);
    expect(await revoke({ id: ids.accessA })).toBe(0);
    const row = await db().token.findUniqueOrThrow({ where: { id: ids.accessA }, select: { revokedReason: true } });
    expect(row.revokedReason).toBe('test');
  });
});
