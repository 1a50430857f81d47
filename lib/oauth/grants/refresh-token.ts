// grant_type=refresh_token (RFC 6749 §6, OAuth 2.1 §4.3.1, RFC 9700 §4.14.2). Every use rotates
// the refresh token: the presented one is marked used by compare-and-swap, so of two concurrent
// refreshes exactly one succeeds. Presenting a used refresh token is treated as theft: the whole
// family (every rotation, and the access tokens issued with them) is revoked and an alert raised.
// The family keeps the absolute expiry of its first token; scope may only shrink.
import 'server-only';
import { db } from '@/lib/db/client';
import { forgettingAfter } from '@/lib/cache/hot-cache';
import { raiseAlert } from '@/lib/alerts/raise-alert';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { OAuthError } from '@/lib/oauth/errors';
import { formatScope, parseScope } from '@/lib/scopes/scopes';
import { findToken, isTokenActive, type FoundToken } from '@/lib/tokens/find-token';
import { createAccessToken, createRefreshToken } from '@/lib/tokens/issue-access-token';
import type { Grant } from '@/lib/oauth/grants/types';
import { ClaimLost } from '@/lib/oauth/issue-for-consent';
import type { Prisma } from '@/lib/generated/prisma/client';
import { refuseByPolicy, tokenPolicy, type TokenPolicy } from '@/lib/oauth/agent-token-policy';

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  async handle({ client, params, ip, dpop }) {
    const presented = params.get('refresh_token');
    if (!presented) throw new OAuthError('invalid_request', 'refresh_token is required.');
    const invalid = new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.');
    const token = await findToken(presented);
    if (!token || token.kind !== 'REFRESH' || token.agentId !== client.id || !token.familyId) throw invalid;
    // RFC 9449 §5: a bound refresh token needs a proof made with the same key. Checked before the
    // token is claimed, so a thief without the key cannot even burn it.
    if (token.dpopJkt && dpop?.jkt !== token.dpopJkt) {
      throw new OAuthError('invalid_dpop_proof', 'This refresh token is bound to a DPoP key: send a proof made with that key.');
    }

    // The user's policy as it is now (loaded once, before the token is spent: a policy that fails
    // to load answers server_error and leaves the token usable). Refresh may have been switched
    // off, the ceiling lowered or the refresh lifetime shortened since the family began.
    const policy = token.userId ? await tokenPolicy({ userId: token.userId, agentId: client.id, ip }) : null;
    const requested = parseScope(params.get('scope'));
    const bounds = policy && isTokenActive(token) ? await policyBounds(policy, token, requested, dpop !== null) : null;
    const familyExpiresAt = bounds?.familyExpiresAt ?? token.expiresAt;

    // RFC 6749 §6: scope (and, RFC 8707 §2.2, audience) may only shrink. Checked before the token
    // is spent: the old refresh token may be revoked only once a new one is issued, so a request
    // that asks for too much leaves it usable (spending it would make the client's next refresh
    // look like theft and revoke the family). A used or revoked token still goes on to reuse
    // detection below.
    const beyond = requested.filter((s) => !token.scopes.includes(s));
    const audience = params.resources.length ? params.resources : token.audience;
    if (token.usedAt === null && isTokenActive(token)) {
      if (beyond.length) throw new OAuthError('invalid_scope', `The refresh token does not cover: ${beyond.join(' ')}`);
      if (audience.some((r) => !token.audience.includes(r))) throw new OAuthError('invalid_target', 'The resource was not part of the authorization.');
    }

    // A token the policy refuses is spent by revoking it, not by marking it used: presenting it
    // again is then plainly invalid, not mistaken for theft (RFC 9700 §4.14.2 reuse detection).
    // A token that is refused or no longer active is spent at once; a good one by the first
    // statement of the transaction that issues its successors: a concurrent use of the same token
    // waits for them to commit, fails its claim and revokes the family with them in it (had the
    // claim committed first, the successors issued after that revocation would survive it).
    const now = new Date();
    const spend = (q: Prisma.TransactionClient = db()) =>
      q.token.updateMany({
        where: { id: token.id, usedAt: null, revokedAt: null },
        data: bounds?.refusal ? { revokedAt: now, revokedReason: `policy v${policy!.version}: ${bounds.refusal.reason}` } : { usedAt: now },
      });
    const lost = async (): Promise<never> => {
      if (token.usedAt !== null || token.revokedAt === null) await revokeFamilyOnReuse(token, ip);
      throw invalid;
    };
    const early = Boolean(bounds?.refusal) || !isTokenActive(token);
    if (early && (await spend()).count !== 1) return lost();
    try {
      if (!isTokenActive(token)) throw invalid;
      if (token.grantId) {
        const grant = await db().grant.findFirst({ where: { id: token.grantId, status: 'ACTIVE' }, select: { id: true } });
        if (!grant) throw invalid;
      }
      if (bounds?.refusal) {
        // What the policy no longer allows ends here: the rest of the family is revoked, and audited.
        const reason = `policy v${policy!.version}: ${bounds.refusal.reason}`;
        await refuseByPolicy({ agentId: client.id, userId: token.userId!, ip, scopes: token.scopes, reason, revokeFamily: token.familyId }, bounds.refusal.error);
      }

      const beyond = requested.filter((s) => !token.scopes.includes(s));
      if (beyond.length) throw new OAuthError('invalid_scope', `The refresh token does not cover: ${beyond.join(' ')}`);

      const allowed = (list: string[]) => (policy ? policy.allowedScopes(list) : list);
      const scopes = allowed(requested.length ? requested : token.scopes);
      const audience = params.resources.length ? params.resources : token.audience;
      if (audience.some((r) => !token.audience.includes(r))) throw new OAuthError('invalid_target', 'The resource was not part of the authorization.');

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
      const rotate = !policy || refreshScopes.includes('offline_access');
      return await db().$transaction(async (tx) => {
        if (!early && (await spend(tx)).count !== 1) throw new ClaimLost();
        const access = await createAccessToken(tx, { ...base, scopes, audience, dpopJkt: accessJkt }, { grantType: 'refresh_token', ip, ttlSeconds: policy?.accessTokenSeconds });
        const refresh = rotate
          ? await createRefreshToken(
              tx,
              { ...base, scopes: refreshScopes, audience: token.audience, dpopJkt: token.dpopJkt },
              { grantType: 'refresh_token', ip, familyId: token.familyId!, expiresAt: familyExpiresAt },
            )
          : null;
        return {
          access_token: access.token,
          token_type: accessJkt ? ('DPoP' as const) : ('Bearer' as const),
          expires_in: access.expiresIn,
          scope: formatScope(scopes),
          ...(refresh ? { refresh_token: refresh.token } : {}),
          ...(token.authorizationDetails ? { authorization_details: token.authorizationDetails } : {}),
        };
      });
    } catch (error) {
      if (early) throw error;
      if (error instanceof ClaimLost) return lost();
      // A failed attempt spends the token too; if another use had it first, this one is a reuse.
      const spent = await spend().catch(() => null);
      if (spent?.count === 0) return lost();
      throw error;
    }
  },
};

type PolicyBounds = { familyExpiresAt: Date; refusal: { reason: string; error: OAuthError } | null };

/**
 * What the policy allows this refresh: the family's absolute expiry (the policy's refresh days
 * from the family's first token, if sooner) and the reason it refuses the refresh, if any.
 */
async function policyBounds(policy: TokenPolicy, token: FoundToken, requested: string[], hasDpop: boolean): Promise<PolicyBounds> {
  const first = await db().token.findFirst({ where: { familyId: token.familyId }, orderBy: { createdAt: 'asc' }, select: { createdAt: true } });
  const cap = new Date((first?.createdAt ?? token.createdAt).getTime() + policy.refreshMs);
  const familyExpiresAt = cap < token.expiresAt ? cap : token.expiresAt;
  const refuse = (reason: string, error: OAuthError): PolicyBounds => ({ familyExpiresAt, refusal: { reason, error } });
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

async function revokeFamilyOnReuse(token: FoundToken, ip: string) {
  await forgettingAfter(db().$transaction(async (tx) => {
    const family = await tx.token.findMany({ where: { familyId: token.familyId }, select: { id: true } });
    const { count } = await tx.token.updateMany({
      where: {
        revokedAt: null,
        OR: [{ familyId: token.familyId }, ...(token.grantId ? [{ grantId: token.grantId, kind: 'ACCESS' as const }] : [])],
      },
      data: { revokedAt: new Date(), revokedReason: 'refresh token reuse' },
    });
    await appendAuditEvent(tx, {
      action: 'refresh.reuse',
      decision: 'DENY',
      agentId: token.agentId,
      userId: token.userId,
      tokenId: token.id,
      scopes: token.scopes,
      ip,
      reason: 'a used refresh token was presented again: the whole family was revoked (RFC 9700 §4.14.2)',
      details: { family: token.familyId, family_size: family.length, revoked: count },
    });
  }));
  if (token.userId) {
    await raiseAlert({
      userId: token.userId,
      agentId: token.agentId,
      kind: 'refresh_token_reuse',
      severity: 'CRITICAL',
      dedupeMinutes: 1,
      decide: async () => ({ message: 'A refresh token was used twice. Someone may have copied it; every token of that session was revoked.', details: { family: token.familyId, ip } }),
    }).catch((error) => console.error('[alerts] refresh-reuse alert failed:', error));
  }
}
