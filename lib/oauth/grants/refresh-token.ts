// grant_type=refresh_token (RFC 6749 §6, OAuth 2.1 §4.3.1, RFC 9700 §4.14.2). Every use rotates
// the refresh token: the presented one is marked used by compare-and-swap, so of two concurrent
// refreshes exactly one succeeds. Presenting a used refresh token is treated as theft: the whole
// family (every rotation, and the access tokens issued with them) is revoked and an alert raised.
// The family keeps the absolute expiry of its first token; scope may only shrink.
import 'server-only';
import { tokenResponse } from '@/lib/oauth/grants/types';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { emitEvent } from '@/lib/events/leash-events';
import { OAuthError } from '@/lib/oauth/errors';
import { parseScope } from '@/lib/scopes/scopes';
import { findToken, isTokenActive, type FoundToken } from '@/lib/tokens/find-token';
import { createAccessToken, createRefreshToken } from '@/lib/tokens/issue-access-token';
import type { Grant, GrantContext, TokenResponse } from '@/lib/oauth/grants/types';
import { redeemOnce, type ClaimIn } from '@/lib/tokens/redeem-once';
import { revokeTokens, revoking, tokenWithFamily } from '@/lib/tokens/revoke-tokens';
import type { Prisma } from '@/lib/generated/prisma/client';
import { refuseByPolicy, tokenPolicy, type TokenPolicy } from '@/lib/oauth/agent-token-policy';

const invalid = () => new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.');

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  async handle(context) {
    const { client, params, ip, dpop } = context;
    const token = await presentedToken(context);

    // The user's policy as it is now (loaded once, before the token is spent: a policy that fails
    // to load answers server_error and leaves the token usable). Refresh may have been switched
    // off, the ceiling lowered or the refresh lifetime shortened since the family began.
    const policy = token.userId ? await tokenPolicy({ userId: token.userId, agentId: client.id, ip }) : null;
    const requested = parseScope(params.get('scope'));
    const active = isTokenActive(token);
    const bounds = policy && active ? await policyBounds(policy, token, requested, dpop !== null) : null;
    const refusal = bounds?.refusal ?? null;

    // RFC 6749 §6: scope (and, RFC 8707 §2.2, audience) may only shrink. Checked before the token
    // is spent: the old refresh token may be revoked only once a new one is issued, so a request
    // that asks for too much leaves it usable (spending it would make the client's next refresh
    // look like theft and revoke the family). A used or revoked token still goes on to reuse
    // detection below (its claim is lost, whatever it asked for).
    const audience = params.resources.length ? params.resources : token.audience;
    if (token.usedAt === null && active) onlyShrinks(token, requested, audience);

    // A token the policy refuses is spent by revoking it, not by marking it used: presenting it
    // again is then plainly invalid, not mistaken for theft (RFC 9700 §4.14.2 reuse detection).
    // A token that is refused or no longer active is spent at once; a good one by the first
    // statement of the transaction that issues its successors: a concurrent use of the same token
    // waits for them to commit, fails its claim and revokes the family with them in it (had the
    // claim committed first, the successors issued after that revocation would survive it).
    // A failed attempt spends the token too; if another use had it first, this one is a reuse.
    const now = new Date();
    return redeemOnce({
      when: refusal || !active ? 'first' : 'with-issue',
      burnOnFailure: true,
      claim: (q) => spend(q, token, refusal?.reason ?? null, now),
      onReplay: () => handleRefreshTokenReuse(token, ip),
      redeem: async (claimIn) => {
        if (!active) throw invalid();
        if (token.grantId && !(await db().grant.findFirst({ where: { id: token.grantId, status: 'ACTIVE' }, select: { id: true } }))) throw invalid();
        // What the policy no longer allows ends here: the rest of the family is revoked, and audited.
        if (refusal) {
          await refuseByPolicy({ agentId: client.id, userId: token.userId!, ip, scopes: token.scopes, reason: refusal.reason, revokeFamily: token.familyId }, refusal.error);
        }
        return rotate(context, { token, policy, requested, audience, familyExpiresAt: bounds?.familyExpiresAt ?? token.expiresAt }, claimIn);
      },
    });
  },
};

/** The presented refresh token, if it is this client's and, when bound, proven with its key. */
async function presentedToken({ client, params, dpop }: GrantContext): Promise<FoundToken> {
  const presented = params.get('refresh_token');
  if (!presented) throw new OAuthError('invalid_request', 'refresh_token is required.');
  const token = await findToken(presented);
  if (!token || token.kind !== 'REFRESH' || token.agentId !== client.id || !token.familyId) throw invalid();
  // RFC 9449 §5: a bound refresh token needs a proof made with the same key. Checked before the
  // token is claimed, so a thief without the key cannot even burn it.
  if (token.dpopJkt && dpop?.jkt !== token.dpopJkt) {
    throw new OAuthError('invalid_dpop_proof', 'This refresh token is bound to a DPoP key: send a proof made with that key.');
  }
  return token;
}

function onlyShrinks(token: FoundToken, requested: string[], audience: string[]) {
  const beyond = requested.filter((s) => !token.scopes.includes(s));
  if (beyond.length) throw new OAuthError('invalid_scope', `The refresh token does not cover: ${beyond.join(' ')}`);
  if (audience.some((r) => !token.audience.includes(r))) throw new OAuthError('invalid_target', 'The resource was not part of the authorization.');
}

/** The claim: a good token is marked used, a refused one revoked (compare-and-swap on "neither yet"). */
async function spend(q: Prisma.TransactionClient, token: FoundToken, refusal: string | null, now: Date): Promise<boolean> {
  if (refusal) return (await revokeTokens(q, { id: token.id, unused: true }, refusal)) === 1;
  return (await q.token.updateMany({ where: { id: token.id, usedAt: null, revokedAt: null }, data: { usedAt: now } })).count === 1;
}

/** The new access token and, while the family goes on, its next refresh token, in the claiming transaction. */
async function rotate(
  { client, ip, dpop }: GrantContext,
  r: { token: FoundToken; policy: TokenPolicy | null; requested: string[]; audience: string[]; familyExpiresAt: Date },
  claimIn: ClaimIn,
): Promise<TokenResponse> {
  const { token, policy } = r;
  const allowed = (list: string[]) => (policy ? policy.allowedScopes(list) : list);
  const scopes = allowed(r.requested.length ? r.requested : token.scopes);
  const base = {
    agentId: client.id,
    userId: token.userId,
    grantId: token.grantId,
    authorizationRequestId: token.authorizationRequestId,
    authorizationDetails: token.authorizationDetails ?? undefined,
    acr: token.acr,
    amr: token.amr,
    authTime: token.authTime,
  };
  const accessJkt = dpop?.jkt ?? null;
  // RFC 6749 §6: the new refresh token keeps the scope of the one it replaces (less what the
  // policy no longer allows). Refresh tokens exist only under offline_access: once the ceiling
  // drops it, this refresh still answers but issues no new refresh token (§6 "MAY issue"), so
  // the family ends here.
  const refreshScopes = allowed(token.scopes);
  const next = !policy || refreshScopes.includes('offline_access');
  return db().$transaction(async (tx) => {
    await claimIn(tx);
    const access = await createAccessToken(
      tx,
      { ...base, scopes, audience: r.audience, dpopJkt: accessJkt, policyVersion: policy?.version ?? null },
      { grantType: 'refresh_token', ip, ttlSeconds: policy?.accessTokenSeconds },
    );
    const refresh = next
      ? await createRefreshToken(
          tx,
          { ...base, scopes: refreshScopes, audience: token.audience, dpopJkt: token.dpopJkt },
          { grantType: 'refresh_token', ip, familyId: token.familyId!, expiresAt: r.familyExpiresAt },
        )
      : null;
    return tokenResponse(access, { bound: Boolean(accessJkt), scopes, refresh, details: token.authorizationDetails });
  });
}

type PolicyBounds = { familyExpiresAt: Date; refusal: { reason: string; error: OAuthError } | null };

/**
 * What the policy allows this refresh: the family's absolute expiry (the policy's refresh days
 * from the family's first token, if sooner) and the reason it refuses the refresh, if any (naming
 * the policy version).
 */
async function policyBounds(policy: TokenPolicy, token: FoundToken, requested: string[], hasDpop: boolean): Promise<PolicyBounds> {
  const first = await db().token.findFirst({ where: { familyId: token.familyId }, orderBy: { createdAt: 'asc' }, select: { createdAt: true } });
  const cap = new Date((first?.createdAt ?? token.createdAt).getTime() + policy.refreshMs);
  const familyExpiresAt = cap < token.expiresAt ? cap : token.expiresAt;
  const refuse = (reason: string, error: OAuthError): PolicyBounds => ({ familyExpiresAt, refusal: { reason: `policy v${policy.version}: ${reason}`, error } });
  if (policy.dpopRequired && !hasDpop) {
    return refuse('DPoP-bound tokens are required', new OAuthError('invalid_dpop_proof', "The user's policy for this agent requires DPoP-bound tokens (RFC 9449)."));
  }
  if (!policy.refreshAllowed) {
    return refuse('refresh tokens are not allowed for this agent', new OAuthError('invalid_grant', "This agent's policy no longer allows refresh tokens."));
  }
  if (familyExpiresAt <= new Date()) {
    return refuse('the refresh lifetime the policy allows has ended', new OAuthError('invalid_grant', 'The refresh token has expired under the policy for this agent.'));
  }
  // RFC 6749 §5.2: nothing within the scope ceiling is invalid_scope.
  if (!policy.allowedScopes(requested.length ? requested : token.scopes).length) {
    return refuse('none of the scopes is within the scope ceiling', new OAuthError('invalid_scope', "None of these scopes is allowed by the user's policy for this agent."));
  }
  return { familyExpiresAt, refusal: null };
}

/**
 * The claim was lost (fosite's handleRefreshTokenReuse): a used refresh token presented again is
 * theft, and the whole family goes (RFC 9700 §4.14.2), audited and alerted. A token already revoked
 * (and never used) lost its claim to that revocation: not a reuse, just invalid.
 */
async function handleRefreshTokenReuse(token: FoundToken, ip: string): Promise<never> {
  if (token.usedAt === null && token.revokedAt !== null) throw invalid();
  await revoking(async (tx) => {
    const family = await tx.token.findMany({ where: { familyId: token.familyId }, select: { id: true } });
    const count = await revokeTokens(tx, tokenWithFamily(token), 'refresh token reuse');
    await appendAuditEvent(tx, {
      action: 'refresh.reuse',
      decision: 'DENY',
      agentId: token.agentId,
      userId: token.userId,
      tokenId: token.id,
      scopes: token.scopes,
      ip,
      reason: 'a used refresh token was presented again: the whole family was revoked (RFC 9700 §4.14.2)',
      details: { family: token.familyId!, family_size: family.length, revoked: count },
    });
  });
  // After the revocation and its record committed: the alert rules listen (lib/alerts).
  await emitEvent('refresh_token.reused', { userId: token.userId, agentId: token.agentId, familyId: token.familyId!, ip });
  throw invalid();
}
