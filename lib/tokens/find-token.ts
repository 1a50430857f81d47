// Looks a presented token up by its hash: an opaque one, or an RFC 9068 JWT access token (its row
// holds the hash of the whole JWT, so the row, not the signature, decides: revoked is revoked).
// Malformed or checksum-invalid strings never reach the database. Returns the row whatever its
// state; callers decide what "active" means for them.
import 'server-only';
import { db } from '@/lib/db/client';
import { cached } from '@/lib/cache/hot-cache';
import { isWellFormedJwtAccessToken } from '@/lib/tokens/jwt-access-token';
import { hashToken, isWellFormedToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';

export async function findToken(presented: string) {
  // Refresh tokens are single-use: always read from the database.
  if (isWellFormedToken(presented, TOKEN_PREFIX.refreshToken)) return loadToken(presented);
  if (!isWellFormedToken(presented, TOKEN_PREFIX.accessToken) && !isWellFormedJwtAccessToken(presented)) return null;
  // Access tokens are cached per instance and dropped on any change to the token, its grant,
  // agent or user (lib/cache/hot-cache.ts): a revocation that returned is never answered from memory.
  return cached(
    'token',
    hashToken(presented),
    () => loadToken(presented),
    (t) => [t.id, t.grantId, t.agentId, t.userId].filter((id): id is string => id !== null),
  );
}

function loadToken(presented: string) {
  return db().token.findUnique({
    where: { tokenHash: hashToken(presented) },
    include: {
      agent: { select: { clientId: true, status: true } },
      user: { select: { status: true, timeZone: true, intentStorage: true, intentRetentionDays: true } },
      grant: { select: { status: true } },
    },
  });
}

export type FoundToken = NonNullable<Awaited<ReturnType<typeof findToken>>>;

/** Unexpired, unrevoked, and neither its agent, its grant nor its user suspended. */
export function isTokenActive(token: FoundToken, now = new Date()): boolean {
  return (
    token.revokedAt === null &&
    token.expiresAt > now &&
    token.agent.status === 'ACTIVE' &&
    (token.grant === null || token.grant.status === 'ACTIVE') &&
    (token.user === null || token.user.status === 'ACTIVE')
  );
}
