// grant_type=urn:openid:params:grant-type:ciba (OpenID CIBA Core §10-11, poll mode): the agent
// polls with its auth_req_id. authorization_pending while the user has not decided; slow_down
// (and 5 s more) when polling faster than the interval; access_denied when denied; expired_token
// after the request's lifetime. Once approved, the elevated token is collected exactly once
// (compare-and-swap): only the approved scopes and details, only the approved resource, marked
// just-in-time, living the policy's window, never refreshable.
import 'server-only';
import { tokenResponse } from '@/lib/oauth/grants/types';
import { db } from '@/lib/db/client';
import { OAuthError } from '@/lib/oauth/errors';
import { tokenPolicy } from '@/lib/oauth/agent-token-policy';
import { createAccessToken } from '@/lib/tokens/issue-access-token';
import { hashToken, isWellFormedToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';
import { redeemOnce } from '@/lib/tokens/redeem-once';
import type { Grant } from '@/lib/oauth/grants/types';
import type { Prisma } from '@/lib/generated/prisma/client';

export const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';
/** How long the user has to decide (CIBA §7.3 expires_in). */
export const CIBA_REQUEST_TTL_SECONDS = 300;
export const CIBA_POLL_INTERVAL_SECONDS = 5;

export const cibaGrant: Grant = {
  grantType: CIBA_GRANT,
  async handle({ client, params, ip, dpop }) {
    const authReqId = params.get('auth_req_id');
    if (!authReqId) throw new OAuthError('invalid_request', 'auth_req_id is required.');
    const invalid = new OAuthError('invalid_grant', 'The auth_req_id is invalid or was already used.');
    if (!isWellFormedToken(authReqId, TOKEN_PREFIX.authReqId)) throw invalid;
    const request = await db().approvalRequest.findUnique({ where: { authReqIdHash: hashToken(authReqId) } });
    if (!request || request.agentId !== client.id || request.collectedAt) throw invalid;
    const now = new Date();
    if (request.status === 'DENIED') throw new OAuthError('access_denied', 'The user denied the request.');
    if (request.status !== 'APPROVED' && request.expiresAt <= now) throw new OAuthError('expired_token', 'The request expired before the user decided.');

    const interval = request.pollIntervalSeconds;
    const polled = await db().approvalRequest.updateMany({
      where: { id: request.id, OR: [{ lastPolledAt: null }, { lastPolledAt: { lte: new Date(now.getTime() - interval * 1000) } }] },
      data: { lastPolledAt: now },
    });
    if (polled.count !== 1) {
      await db().approvalRequest.update({ where: { id: request.id }, data: { pollIntervalSeconds: interval + 5, lastPolledAt: now } });
      throw new OAuthError('slow_down', `Poll at most every ${interval + 5} seconds.`, { status: 400 });
    }
    if (request.status === 'PENDING') throw new OAuthError('authorization_pending', 'The user has not decided yet.');

    // Approved: the window runs from the approval, so a late poll gets what is left of it.
    const windowEnds = new Date((request.decidedAt ?? now).getTime() + request.windowSeconds * 1000);
    const ttl = Math.floor((windowEnds.getTime() - now.getTime()) / 1000);
    if (ttl <= 0) throw new OAuthError('expired_token', 'The approved window has already ended.');
    const grant = await db().grant.findFirst({ where: { userId: request.userId, agentId: client.id, status: 'ACTIVE' }, select: { id: true } });
    if (!grant) throw invalid;
    // The version of the policy in force, as the token says it (a JWT's `policy_version`); a policy
    // that cannot be read issues nothing (temporarily_unavailable, audited).
    const { version: policyVersion } = await tokenPolicy({ userId: request.userId, agentId: client.id, ip });
    // Collected in the issuing transaction; a failure leaves it uncollected (nothing is burnt), and a
    // lost claim (a concurrent poll collected it) is plainly invalid.
    return redeemOnce({
      when: 'with-issue',
      claim: async (q) => (await q.approvalRequest.updateMany({ where: { id: request.id, status: 'APPROVED', collectedAt: null }, data: { collectedAt: now } })).count === 1,
      onReplay: async () => {
        throw invalid;
      },
      redeem: (claimIn) =>
        db().$transaction(async (tx) => {
          await claimIn(tx);
          const approver = await tx.userSession.findFirst({ where: { userId: request.userId }, orderBy: { authTime: 'desc' }, select: { acr: true, amr: true, authTime: true } });
          const access = await createAccessToken(
            tx,
            {
              agentId: client.id,
              userId: request.userId,
              grantId: grant.id,
              scopes: request.scopes,
              audience: request.resources,
              authorizationDetails: (request.authorizationDetails as Prisma.InputJsonValue | null) ?? null,
              acr: request.requiredAcr ?? approver?.acr ?? null,
              amr: approver?.amr ?? [],
              authTime: approver?.authTime ?? null,
              dpopJkt: dpop?.jkt ?? null,
              jit: true,
              policyVersion,
            },
            { grantType: 'ciba', ip, ttlSeconds: ttl },
          );
          return tokenResponse(access, { bound: Boolean(dpop), scopes: request.scopes, details: request.authorizationDetails });
        }),
    });
  },
};
