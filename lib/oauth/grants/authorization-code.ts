// grant_type=authorization_code (RFC 6749 §4.1.3, OAuth 2.1 §4.1.3, RFC 7636 §4.6).
// The code is single use (lib/tokens/redeem-once.ts): the exchange marks it used (compare-and-swap)
// in the transaction that issues its tokens, and a failed attempt burns it too; a second exchange
// is refused with invalid_grant and revokes every token issued from the code (§4.1.2, RFC 9700
// §4.5). Claiming in the issuing transaction matters under concurrency: had the claim committed
// first, a concurrent second exchange would fail its claim and revoke "every token issued" before
// the first one's tokens existed, and those would survive a replayed code.
import 'server-only';
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { claimCode } from '@/lib/oauth/authorization-request-states';
import { OAuthError } from '@/lib/oauth/errors';
import { hashToken, isWellFormedToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';
import type { Grant } from '@/lib/oauth/grants/types';
import { issueForConsent } from '@/lib/oauth/issue-for-consent';
import { redeemOnce } from '@/lib/tokens/redeem-once';
import { revokeTokens, revoking } from '@/lib/tokens/revoke-tokens';

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export const authorizationCodeGrant: Grant = {
  grantType: 'authorization_code',
  async handle({ client, params, ip, dpop }) {
    const code = params.get('code');
    const verifier = params.get('code_verifier');
    if (!code) throw new OAuthError('invalid_request', 'code is required.');
    if (!verifier) throw new OAuthError('invalid_request', 'code_verifier is required (PKCE).');
    const invalid = new OAuthError('invalid_grant', 'The authorization code is invalid, expired or already used.');
    if (!isWellFormedToken(code, TOKEN_PREFIX.authorizationCode)) throw invalid;

    const request = await db().authorizationRequest.findUnique({ where: { codeHash: hashToken(code) } });
    if (!request || request.agentId !== client.id || request.status !== 'APPROVED' || !request.userId) throw invalid;
    const userId = request.userId;
    const replayed = async (): Promise<never> => {
      await revokeTokensFromReplayedCode(request.id, request.agentId, userId, ip);
      throw invalid;
    };
    if (request.codeUsedAt) return replayed();
    const now = new Date();
    return redeemOnce({
      when: 'with-issue',
      // A failed attempt burns the code too (single use). If another redemption had it first,
      // this one is a replay like any other.
      burnOnFailure: true,
      claim: (q) => claimCode(q, { id: request.id, now }),
      onReplay: replayed,
      redeem: async (claimIn) => {
        if (!request.codeExpiresAt || request.codeExpiresAt <= now) throw invalid;
        // RFC 6749 §4.1.3: redirect_uri must be repeated, identically, when the request had it.
        const redirectUri = params.get('redirect_uri');
        if ((request.redirectUriSent && redirectUri === undefined) || (redirectUri !== undefined && redirectUri !== request.redirectUri)) {
          throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request.');
        }
        // RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) must equal the code_challenge.
        const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
        if (!VERIFIER.test(verifier) || challenge !== request.codeChallenge) {
          throw new OAuthError('invalid_grant', 'The code_verifier does not match the code_challenge.');
        }
        // RFC 8707 §2.2: the token may be narrowed to some of the resources that were authorized.
        const audience = params.resources.length ? params.resources : request.resources;
        if (audience.some((r) => !request.resources.includes(r))) {
          throw new OAuthError('invalid_target', 'The resource was not part of the authorization.');
        }
        const grant = request.grantId ? await db().grant.findFirst({ where: { id: request.grantId, status: 'ACTIVE' }, select: { id: true } }) : null;
        if (!grant) throw invalid;
        return await issueForConsent({
          client,
          request: { id: request.id, userId, grantId: grant.id, scopes: request.scopes, sessionId: request.sessionId, authorizationDetails: request.authorizationDetails },
          audience,
          dpop,
          ip,
          grantType: 'authorization_code',
          // The claim is the issuance transaction's first statement: its row lock is held until the
          // tokens commit, so a concurrent redemption's claim waits, then fails and revokes them.
          claimIn,
        });
      },
    });
  },
};

async function revokeTokensFromReplayedCode(requestId: string, agentId: string, userId: string, ip: string) {
  await revoking(async (tx) => {
    const count = await revokeTokens(tx, { request: requestId }, 'authorization code replayed');
    await appendAuditEvent(tx, {
      action: 'code.replay',
      decision: 'DENY',
      agentId,
      userId,
      ip,
      reason: 'authorization code used twice: every token issued from it was revoked (RFC 6749 §4.1.2)',
      details: { authorization_request: requestId, revoked: count },
    });
  });
}
