// grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.4-3.5): the device polls
// until the person has decided. authorization_pending while waiting; slow_down (and 5 s more
// between polls, §3.5) when it polls too fast; access_denied when the person said no;
// expired_token after the code's lifetime; tokens once, when approved (compare-and-swap on the
// request, so two concurrent polls cannot both collect them), bounded by the user's policy.
import 'server-only';
import { db } from '@/lib/db/client';
import { issueForConsent } from '@/lib/oauth/issue-for-consent';
import { claimCode } from '@/lib/oauth/authorization-request-states';
import { redeemOnce } from '@/lib/tokens/redeem-once';
import { OAuthError } from '@/lib/oauth/errors';
import { hashToken, isWellFormedToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';
import type { Grant } from '@/lib/oauth/grants/types';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
export const DEVICE_CODE_TTL_SECONDS = 600;
export const DEVICE_POLL_INTERVAL_SECONDS = 5;

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

    // Approved: collect once. The device code is spent by the claim, whatever follows; a lost
    // claim (a concurrent poll collected it) is plainly invalid.
    return redeemOnce({
      when: 'first',
      claim: (q) => claimCode(q, { id: request.id, now }),
      onReplay: async () => {
        throw invalid;
      },
      redeem: async () => {
        if (!request.userId || !request.grantId) throw invalid;
        const grant = await db().grant.findFirst({ where: { id: request.grantId, status: 'ACTIVE' }, select: { id: true } });
        if (!grant) throw invalid;
        return issueForConsent({
          client,
          request: { id: request.id, userId: request.userId, grantId: grant.id, scopes: request.scopes, sessionId: request.sessionId, authorizationDetails: request.authorizationDetails },
          audience: request.resources,
          dpop,
          ip,
          grantType: 'device_code',
        });
      },
    });
  },
};
