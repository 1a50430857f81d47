// The one writer of `tokens.revoked_at` (issue 13, REVIEW W5): every path that revokes tokens names
// what it revokes with a selector, and the where-clauses below are the single definition of each:
// - { id }                  one token ({ id, unused: true }: only if never used, the compare-and-swap
//                           that spends a refresh token the policy refuses, lib/oauth/grants/refresh-token.ts);
// - { family }              every rotation of one refresh token (the family shares `familyId`);
// - { grant, kind }         the tokens of one kind issued under a grant (a refresh token's grant's
//                           access tokens, RFC 9700 §4.14.2: "the refresh token and its access tokens");
// - { request }             the tokens issued from one authorization request and every rotation of
//                           their families (a replayed code, RFC 6749 §4.1.2, RFC 9700 §4.5);
// - { agent?, user? }       everything an agent holds for a user, every agent's tokens for a user, or
//                           every token of an agent;
// - { audience }            every token for one protected resource (the resource was removed);
// - { apiKey }              every token exchanged for one API key (the key was revoked, rotated or
//                           leaked, lib/api-keys/revoke-api-keys.ts).
// A list of selectors revokes their union; `ownedBy` restricts it to one user's tokens (ownership in
// the query itself, STYLE habit 9). Narrowed tokens die with their parent by trigger, in the same
// transaction (lib/oauth/narrow-own-token.ts).
//
// The hot cache: a revocation must not be answered from this instance's memory once it returned.
// Other instances hear of it on `leash_cache`; this one drops its cache after the commit, before
// answering (`forgettingAfter`, lib/cache/hot-cache.ts). `revoking` opens that transaction; a
// caller that revokes inside a wider one wraps it in `forgettingAfter` itself.
import 'server-only';
import { db } from '@/lib/db/client';
import { forgettingAfter } from '@/lib/cache/hot-cache';
import type { Prisma } from '@/lib/generated/prisma/client';
import { metrics, type RevocationTarget } from '@/lib/metrics/metrics';

export type TokenSelector =
  | { id: string; unused?: true }
  | { family: string }
  | { grant: string; kind: 'ACCESS' | 'REFRESH' }
  | { request: string }
  | { agent: string; user?: string }
  | { user: string; agent?: string }
  | { audience: string }
  | { apiKey: string };

/** Revokes every live token the selectors name (their union), with `reason`; returns how many. */
export async function revokeTokens(tx: Prisma.TransactionClient, select: TokenSelector | TokenSelector[], reason: string, options: { ownedBy?: string } = {}): Promise<number> {
  const selectors = Array.isArray(select) ? select : [select];
  const any = await Promise.all(selectors.map((s) => whereOf(tx, s)));
  const where: Prisma.TokenWhereInput = {
    revokedAt: null,
    ...(any.length === 1 ? any[0] : { OR: any }),
    ...(options.ownedBy ? { userId: options.ownedBy } : {}),
  };
  const { count } = await tx.token.updateMany({ where, data: { revokedAt: new Date(), revokedReason: reason } });
  // Counted when the statement ran: if the caller's transaction then fails (the request answers
  // 5xx), the count stays. Labelled by what the first selector names (a token takes its family along).
  if (count) metrics().tokensRevoked.inc({ target: targetOf(selectors[0]!) }, count);
  return count;
}

function targetOf(s: TokenSelector): RevocationTarget {
  if ('id' in s) return 'token';
  if ('family' in s) return 'family';
  if ('grant' in s) return 'grant';
  if ('request' in s) return 'authorization_request';
  if ('audience' in s) return 'resource';
  if ('apiKey' in s) return 'api_key';
  return s.agent ? 'agent' : 'user';
}

/**
 * A presented token as RFC 7009 §2.1 revokes it: a refresh token takes its family and its grant's
 * access tokens along (RFC 9700 §4.14.2); any other token is revoked alone.
 */
export function tokenWithFamily(token: { id: string; kind: string; familyId: string | null; grantId: string | null }): TokenSelector[] {
  if (token.kind !== 'REFRESH') return [{ id: token.id }];
  return [{ id: token.id }, ...(token.familyId ? [{ family: token.familyId }] : []), ...(token.grantId ? [{ grant: token.grantId, kind: 'ACCESS' as const }] : [])];
}

/** A transaction that revokes, after which this instance's hot cache is dropped (see above). */
export function revoking<T>(work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return forgettingAfter(db().$transaction(work));
}

async function whereOf(tx: Prisma.TransactionClient, s: TokenSelector): Promise<Prisma.TokenWhereInput> {
  if ('id' in s) return s.unused ? { id: s.id, usedAt: null } : { id: s.id };
  if ('family' in s) return { familyId: s.family };
  if ('grant' in s) return { grantId: s.grant, kind: s.kind };
  if ('request' in s) {
    const issued = await tx.token.findMany({ where: { authorizationRequestId: s.request }, select: { familyId: true } });
    const families = issued.map((t) => t.familyId).filter((f): f is string => f !== null);
    return { OR: [{ authorizationRequestId: s.request }, { familyId: { in: families } }] };
  }
  if ('audience' in s) return { audience: { has: s.audience } };
  if ('apiKey' in s) return { apiKeyId: s.apiKey };
  if (!s.agent && !s.user) throw new Error('revokeTokens: an empty selector would revoke every token');
  return { ...(s.agent ? { agentId: s.agent } : {}), ...(s.user ? { userId: s.user } : {}) };
}
