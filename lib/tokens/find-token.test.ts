// findToken's one-statement loader (lib/tokens/find-token.ts) against Prisma's own reading of the
// same rows: every field of the model, and the agent's, user's and grant's state, alike. A column
// added to the Token model fails the comparison until the loader selects it too.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, db } from '@/lib/db/client';
import { createUserWithAgent } from '@/lib/db/test-fixtures';
import { createAccessToken, createRefreshToken } from '@/lib/tokens/issue-access-token';
import { findToken } from '@/lib/tokens/find-token';
import { hashToken, mintToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';

afterAll(closeDb);

let userId: string;
let agentId: string;
let grantId: string;

beforeAll(async () => {
  ({ userId, agentId } = await createUserWithAgent('find-token', 'Find token test agent'));
  grantId = (await db().grant.create({ data: { userId, agentId, scopes: ['datasets:read'], resources: [] }, select: { id: true } })).id;
});

const byPrisma = (token: string) =>
  db().token.findUnique({
    where: { tokenHash: hashToken(token) },
    include: {
      agent: { select: { clientId: true, status: true } },
      user: { select: { status: true, timeZone: true, intentStorage: true, intentRetentionDays: true } },
      grant: { select: { status: true } },
    },
  });

describe('findToken', () => {
  it('reads an access token with its user and grant exactly as Prisma does, every column set', async () => {
    const { token } = await db().$transaction((tx) =>
      createAccessToken(
        tx,
        {
          agentId,
          userId,
          grantId,
          scopes: ['datasets:read', 'datasets:write'],
          audience: ['https://api.example.test'],
          authorizationDetails: [{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '12.50' } }],
          acr: 'urn:leash:acr:mfa',
          amr: ['pwd', 'otp'],
          authTime: new Date('2026-12-01T10:00:00.123Z'),
          dpopJkt: 'q0r8mXsbIhd8Z8sxP1H3Lj2ZhRy1Ysc7T4gcTNuX7oM',
          actor: { sub: 'agent:other', act: { sub: 'agent:first' } },
          jit: true,
        },
        { grantType: 'urn:ietf:params:oauth:grant-type:token-exchange', ip: '203.0.113.9' },
      ),
    );
    await db().user.update({ where: { id: userId }, data: { timeZone: 'Europe/Paris', intentStorage: 'FULL', intentRetentionDays: 7 } });
    await db().token.update({ where: { tokenHash: hashToken(token) }, data: { lastUsedAt: new Date(), lastUsedIp: '203.0.113.10', revokedAt: new Date(), revokedReason: 'test' } });
    const expected = await byPrisma(token);
    expect(expected?.user?.timeZone).toBe('Europe/Paris');
    expect(await findToken(token)).toEqual(expected);
  });

  it('reads a token without user or grant, and a refresh token of a family, as Prisma does', async () => {
    const { token: machine } = await db().$transaction((tx) => createAccessToken(tx, { agentId, scopes: ['datasets:read'], audience: [] }, { grantType: 'client_credentials', ip: '203.0.113.9' }));
    const alone = await findToken(machine);
    expect(alone).toMatchObject({ userId: null, user: null, grantId: null, grant: null, agent: { status: 'ACTIVE' } });
    expect(alone).toEqual(await byPrisma(machine));

    const familyId = crypto.randomUUID();
    const { token: refresh } = await db().$transaction((tx) =>
      createRefreshToken(
        tx,
        { agentId, userId, grantId, scopes: ['datasets:read'], audience: [] },
        { grantType: 'authorization_code', ip: '203.0.113.9', familyId, expiresAt: new Date(Date.now() + 3_600_000) },
      ),
    );
    await db().grant.update({ where: { id: grantId }, data: { status: 'REVOKED' } });
    const found = await findToken(refresh);
    expect(found).toMatchObject({ kind: 'REFRESH', familyId, grant: { status: 'REVOKED' } });
    expect(found).toEqual(await byPrisma(refresh));
  });

  it('finds nothing for an unknown token or a malformed one', async () => {
    expect(await findToken(mintToken(TOKEN_PREFIX.accessToken))).toBeNull();
    expect(await findToken('lsh_at_not-a-token')).toBeNull();
  });
});
