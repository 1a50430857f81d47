// The public keys in the JWKS: the active one and those still in their grace period. Keys past
// their grace period are marked RETIRED on the way. Only public members are ever published.
import 'server-only';
import type { JWK } from 'jose';
import { db } from '@/lib/db/client';

const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use'] as const;

export async function listPublishedKeys(): Promise<JWK[]> {
  const now = new Date();
  await db().signingKey.updateMany({ where: { status: 'RETIRING', retireAt: { lte: now } }, data: { status: 'RETIRED' } });
  const rows = await db().signingKey.findMany({
    where: { OR: [{ status: 'ACTIVE' }, { status: 'RETIRING', retireAt: { gt: now } }] },
    orderBy: { createdAt: 'desc' },
    select: { publicJwk: true },
  });
  return rows.map(({ publicJwk }) => {
    const jwk = publicJwk as Record<string, unknown>;
    return Object.fromEntries(PUBLIC_MEMBERS.filter((m) => jwk[m] !== undefined).map((m) => [m, jwk[m]])) as JWK;
  });
}
