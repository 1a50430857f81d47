// Looks a presented token up by its hash: an opaque one, or an RFC 9068 JWT access token (its row
// holds the hash of the whole JWT, so the row, not the signature, decides: revoked is revoked).
// Malformed or checksum-invalid strings never reach the database. Returns the row whatever its
// state; callers decide what "active" means for them.
import 'server-only';
import { dbPool } from '@/lib/db/client';
import type { Agent, Grant, Token, User } from '@/lib/generated/prisma/client';
import { cached } from '@/lib/cache/hot-cache';
import { isWellFormedJwtAccessToken } from '@/lib/tokens/jwt-access-token';
import { hashToken, isWellFormedToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';

/** The token's row (or null); a cached one as it is, without a promise (the hot path's common case). */
export function findToken(presented: string): LoadedToken | null | Promise<LoadedToken | null> {
  // Refresh tokens are single-use: always read from the database.
  if (isWellFormedToken(presented, TOKEN_PREFIX.refreshToken)) return loadToken(hashToken(presented));
  if (!isWellFormedToken(presented, TOKEN_PREFIX.accessToken) && !isWellFormedJwtAccessToken(presented)) return null;
  // Access tokens are cached per instance and dropped on any change to the token, its grant,
  // agent or user (lib/cache/hot-cache.ts): a revocation that returned is never answered from memory.
  // A dropped token is read again at once (`reloadWhenChanged`, by its hash: the entry keeps no
  // token): the next request with it, a revoked token's refusal, finds the new row in memory.
  const hash = hashToken(presented);
  return cached<LoadedToken>('token', hash, () => loadToken(hash), tokenDependsOn, RELOAD_WHEN_CHANGED);
}

const RELOAD_WHEN_CHANGED = { reloadWhenChanged: true };
const tokenDependsOn = (t: LoadedToken) => [t.id, t.grantId, t.agentId, t.userId].filter((id): id is string => id !== null);

// The token with the state of its agent, user and grant, in one statement. Prisma's `include`
// sends one query per relation (four round trips, each with its engine's cost: 1.8 ms at the
// median against 0.27 ms for this join, on an idle database); this runs on every cache miss, and a
// revocation's refusal is one (docs/performance.md). Named: parsed and planned once per connection.
// The columns are the model's, under its field names: find-token.test.ts holds the answer equal to
// Prisma's `findUnique` with the same `include`, so a column added to the model fails it until
// it is added here.
const LOAD_TOKEN = {
  name: 'leash-load-token',
  text: `SELECT t.id, t.kind, t.token_hash AS "tokenHash", t.prefix, t.user_id AS "userId", t.agent_id AS "agentId",
      t.grant_id AS "grantId", t.scopes, t.audience, t.authorization_details AS "authorizationDetails", t.actor, t.acr,
      t.amr, t.auth_time AS "authTime", t.dpop_jkt AS "dpopJkt", t.jit, t.family_id AS "familyId",
      t.authorization_request_id AS "authorizationRequestId", t.used_at AS "usedAt", t.created_at AS "createdAt",
      t.expires_at AS "expiresAt", t.revoked_at AS "revokedAt", t.revoked_reason AS "revokedReason",
      t.last_used_at AS "lastUsedAt", t.last_used_ip AS "lastUsedIp", t.parent_token_id AS "parentTokenId",
      t.signing_key_id AS "signingKeyId", t.api_key_id AS "apiKeyId",
      json_build_object('clientId', a.client_id, 'status', a.status) AS agent,
      CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('status', u.status, 'timeZone', u.time_zone,
        'intentStorage', u.intent_storage, 'intentRetentionDays', u.intent_retention_days) END AS "user",
      CASE WHEN g.id IS NULL THEN NULL ELSE json_build_object('status', g.status) END AS "grant"
    FROM tokens t
    JOIN agents a ON a.id = t.agent_id
    LEFT JOIN users u ON u.id = t.user_id
    LEFT JOIN grants g ON g.id = t.grant_id
   WHERE t.token_hash = $1`,
};

type LoadedToken = Token & {
  agent: Pick<Agent, 'clientId' | 'status'>;
  user: Pick<User, 'status' | 'timeZone' | 'intentStorage' | 'intentRetentionDays'> | null;
  grant: Pick<Grant, 'status'> | null;
};

async function loadToken(tokenHash: string): Promise<LoadedToken | null> {
  const { rows } = await dbPool().query<LoadedToken>({ ...LOAD_TOKEN, values: [tokenHash] });
  return rows[0] ?? null;
}

export type FoundToken = LoadedToken;

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
