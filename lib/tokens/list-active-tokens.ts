// A user's active (unexpired, unrevoked) credentials, newest first.
import 'server-only';
import { db } from '@/lib/db/client';

export async function listActiveTokens(options: { userId: string }) {
  return db().token.findMany({
    where: { userId: options.userId, revokedAt: null, expiresAt: { gt: new Date() } },
    select: {
      id: true,
      kind: true,
      prefix: true,
      scopes: true,
      audience: true,
      createdAt: true,
      expiresAt: true,
      lastUsedAt: true,
      jit: true,
      agent: { select: { name: true } },
    },
    orderBy: { createdAt: 'desc' },
    take: 200,
  });
}
