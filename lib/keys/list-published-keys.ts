// The public keys in the JWKS (lib/keys/key-timeline.ts): the NEXT key (published before it signs),
// the ACTIVE one, and RETIRING ones until both their grace period is over and every access token
// they signed has expired, plus the clock skew; such keys are marked RETIRED on the way and never
// come back. A NEXT key whose time has come is promoted first. Only public members are published.
import 'server-only';
import type { JWK } from 'jose';
import { db } from '@/lib/db/client';
import { lockSigningKeys, promoteDueKey } from '@/lib/keys/ensure-signing-key';
import { retirementSkewMs } from '@/lib/keys/key-timeline';

const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use'] as const;

export async function listPublishedKeys(): Promise<JWK[]> {
  const now = new Date();
  if (await db().signingKey.count({ where: { status: 'NEXT', activateAt: { lte: now } } })) {
    await db().$transaction(async (tx) => {
      await lockSigningKeys(tx);
      await promoteDueKey(tx, now);
    });
  }
  // RFC 9068 §4: a resource server checks a token's signature with the keys published now, so a
  // key leaves only when no token it signed can still be presented. (Nothing signs with a RETIRING
  // key past its retireAt floor, so no such token can appear after this.)
  const lastUse = new Date(now.getTime() - retirementSkewMs());
  await db().signingKey.updateMany({
    where: { status: 'RETIRING', retireAt: { lte: now }, tokens: { none: { expiresAt: { gt: lastUse } } } },
    data: { status: 'RETIRED' },
  });
  const rows = await db().signingKey.findMany({
    where: { status: { in: ['NEXT', 'ACTIVE', 'RETIRING'] } },
    orderBy: { createdAt: 'desc' },
    select: { publicJwk: true },
  });
  return rows.map(({ publicJwk }) => {
    const jwk = publicJwk as Record<string, unknown>;
    return Object.fromEntries(PUBLIC_MEMBERS.filter((m) => jwk[m] !== undefined).map((m) => [m, jwk[m]])) as JWK;
  });
}
