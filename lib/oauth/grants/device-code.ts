// grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.4-3.5): the device polls
// until the person has decided. authorization_pending while waiting; slow_down (and 5 s more
// between polls, §3.5) when it polls too fast; access_denied when the person said no;
// expired_token after the code's lifetime; tokens once, when approved (compare-and-swap on the
// request, so two concurrent polls cannot both collect them), bounded by the user's policy.
import 'server-only';
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';
import { REFRESH_TOKEN_TTL_SECONDS } from '@/lib/oauth/authorization-request-states';
import { refuseByPolicy, tokenPolicy } from '@/lib/oauth/agent-token-policy';
import { OAuthError } from '@/lib/oauth/errors';
import { DEVICE_CODE_GRANT } from '@/lib/oauth/handle-device-authorization';
import { formatScope } from '@/lib/oauth/scopes';
import { createAccessToken, createRefreshToken } from '@/lib/tokens/issue-access-token';
import { hashToken, isWellFormedToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';
import type { Grant } from '@/lib/oauth/grants/types';

export const deviceCodeGrant: Grant = {
  grantType: DEVICE_CODE_GRANT,
  async handle({ client, params, ip, dpop }) {
    const deviceCode = params.get('device_code');
    if (!deviceCode) throw new OAuthError('invalid_request', 'device_code is required.');
    const invalid = new OAuthError('invalid_grant', 'The device_code is invalid or was already used.');
    if (!isWellFormedToken(deviceCode, TOKEN_PREFIX.deviceCode)) throw invalid;
    const request = await db().authorizationRequest.findUnique({ where: { deviceCodeHash: hashToken(deviceCode) } });
    if (!request || request.agentId !== client.id) throw invalid;
    const now = new Date();
    if (request.expiresAt <= now) throw new OAuthError('expired_token', 'The device code has expired: start again.');
    if (request.status === 'DENIED') throw new OAuthError('access_denied', 'The user denied the request.');
    if (request.codeUsedAt) throw invalid;

    // §3.5: at most one poll per interval; faster polling is told to slow down, by 5 s more.
    const interval = request.pollIntervalSeconds ?? 5;
    const polled = await db().authorizationRequest.updateMany({
      where: { id: request.id, OR: [{ lastPolledAt: null }, { lastPolledAt: { lte: new Date(now.getTime() - interval * 1000) } }] },
      data: { lastPolledAt: now },
    });
    if (polled.count !== 1) {
      await db().authorizationRequest.update({ where: { id: request.id }, data: { pollIntervalSeconds: interval + 5, lastPolledAt: now } });
      throw new OAuthError('slow_down', `Poll at most every ${interval + 5} seconds.`, { status: 400 });
    }
    if (request.status === 'PENDING') throw new OAuthError('authorization_pending', 'The user has not decided yet.');

    // Approved: collect once.
    const claimed = await db().authorizationRequest.updateMany({ where: { id: request.id, status: 'APPROVED', codeUsedAt: null }, data: { codeUsedAt: now } });
    if (claimed.count !== 1 || !request.userId || !request.grantId) throw invalid;
    const grant = await db().grant.findFirst({ where: { id: request.grantId, status: 'ACTIVE' }, select: { id: true } });
    if (!grant) throw invalid;
    const policy = await tokenPolicy({ userId: request.userId, agentId: client.id, ip });
    const scopes = policy.allowedScopes(request.scopes);
    if (!scopes.length) {
      await refuseByPolicy(
        { agentId: client.id, userId: request.userId, ip, scopes: request.scopes, reason: `policy v${policy.version}: none of the granted scopes is within the agent's scope ceiling` },
        new OAuthError('invalid_scope', "None of the granted scopes is allowed by the user's policy for this agent."),
      );
    }
    if (policy.dpopRequired && !dpop) {
      await refuseByPolicy(
        { agentId: client.id, userId: request.userId, ip, scopes, reason: `policy v${policy.version}: DPoP-bound tokens are required` },
        new OAuthError('invalid_dpop_proof', "The user's policy for this agent requires DPoP-bound tokens (RFC 9449)."),
      );
    }
    const session = request.sessionId ? await db().userSession.findUnique({ where: { id: request.sessionId }, select: { acr: true, amr: true, authTime: true } }) : null;
    const subject = {
      agentId: client.id,
      userId: request.userId,
      grantId: grant.id,
      authorizationRequestId: request.id,
      scopes,
      audience: request.resources,
      acr: session?.acr ?? null,
      amr: session?.amr ?? [],
      authTime: session?.authTime ?? null,
      dpopJkt: dpop?.jkt ?? null,
    };
    const wantsRefresh = scopes.includes('offline_access') && client.grantTypes.includes('refresh_token') && policy.refreshAllowed;
    return db().$transaction(async (tx) => {
      const access = await createAccessToken(tx, subject, { grantType: 'device_code', ip, ttlSeconds: policy.accessTokenSeconds });
      const refresh = wantsRefresh
        ? await createRefreshToken(tx, { ...subject, dpopJkt: client.confidential ? null : subject.dpopJkt }, {
            grantType: 'device_code',
            ip,
            familyId: crypto.randomUUID(),
            expiresAt: new Date(now.getTime() + Math.min(REFRESH_TOKEN_TTL_SECONDS * 1000, policy.refreshMs)),
          })
        : null;
      return {
        access_token: access.token,
        token_type: dpop ? ('DPoP' as const) : ('Bearer' as const),
        expires_in: access.expiresIn,
        scope: formatScope(scopes),
        ...(refresh ? { refresh_token: refresh.token } : {}),
      };
    });
  },
};
