// Tokens for a request the user consented to (the authorization code and device grants), within
// the user's policy for the agent (lib/oauth/agent-token-policy.ts): DPoP when the policy requires
// it (RFC 9449), scopes cut to the ceiling (`invalid_scope` when nothing remains, RFC 6749 §5.2),
// the policy's lifetimes, a refresh token only with offline_access and where the policy allows it
// (a public client's bound to its DPoP key, RFC 9449 §5). The session the user decided with gives
// acr, amr and auth_time. Refusals are audited; issuance and its audit rows share a transaction.
import 'server-only';
import { tokenResponse } from '@/lib/oauth/grants/types';
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';
import type { AuthenticatedClient } from '@/lib/oauth/clients/authenticate-client';
import type { DpopProof } from '@/lib/oauth/dpop/verify-dpop-proof';
import { refuseByPolicy, tokenPolicy } from '@/lib/oauth/agent-token-policy';
import { REFRESH_TOKEN_TTL_SECONDS } from '@/lib/oauth/authorization-request-states';
import { OAuthError } from '@/lib/oauth/errors';
import type { TokenResponse } from '@/lib/oauth/grants/types';
import { createAccessToken, createRefreshToken } from '@/lib/tokens/issue-access-token';
import type { ClaimIn } from '@/lib/tokens/redeem-once';
import type { Prisma } from '@/lib/generated/prisma/client';

export async function issueForConsent(options: {
  client: AuthenticatedClient;
  request: { id: string; userId: string; grantId: string; scopes: string[]; sessionId: string | null; authorizationDetails: Prisma.JsonValue | null };
  audience: string[];
  dpop: DpopProof | null;
  ip: string;
  grantType: 'authorization_code' | 'device_code';
  /**
   * Runs first in the issuance transaction; a lost claim rolls it back with `ClaimLost`
   * (lib/tokens/redeem-once.ts). The authorization code grant claims its code here, so the claim
   * and the tokens commit together and a concurrent claim waits for them.
   */
  claimIn?: ClaimIn;
}): Promise<TokenResponse> {
  const { client, request, dpop, ip } = options;
  const policy = await tokenPolicy({ userId: request.userId, agentId: client.id, ip });
  const refuse = (reason: string, error: OAuthError) =>
    refuseByPolicy({ agentId: client.id, userId: request.userId, ip, scopes: request.scopes, reason: `policy v${policy.version}: ${reason}` }, error);
  if (policy.dpopRequired && !dpop) {
    await refuse('DPoP-bound tokens are required', new OAuthError('invalid_dpop_proof', "The user's policy for this agent requires DPoP-bound tokens (RFC 9449)."));
  }
  const scopes = policy.allowedScopes(request.scopes);
  if (!scopes.length) {
    await refuse("none of the granted scopes is within the agent's scope ceiling", new OAuthError('invalid_scope', "None of the granted scopes is allowed by the user's policy for this agent."));
  }
  const session = request.sessionId ? await db().userSession.findUnique({ where: { id: request.sessionId }, select: { acr: true, amr: true, authTime: true } }) : null;
  const subject = {
    agentId: client.id,
    userId: request.userId,
    grantId: request.grantId,
    authorizationRequestId: request.id,
    scopes,
    audience: options.audience,
    authorizationDetails: request.authorizationDetails ?? undefined,
    acr: session?.acr ?? null,
    amr: session?.amr ?? [],
    authTime: session?.authTime ?? null,
    dpopJkt: dpop?.jkt ?? null,
    policyVersion: policy.version,
  };
  const wantsRefresh = scopes.includes('offline_access') && client.grantTypes.includes('refresh_token') && policy.refreshAllowed;
  return db().$transaction(async (tx) => {
    await options.claimIn?.(tx);
    const access = await createAccessToken(tx, subject, { grantType: options.grantType, ip, ttlSeconds: policy.accessTokenSeconds });
    const refresh = wantsRefresh
      ? await createRefreshToken(
          tx,
          { ...subject, dpopJkt: client.confidential ? null : subject.dpopJkt },
          {
            grantType: options.grantType,
            ip,
            familyId: crypto.randomUUID(),
            expiresAt: new Date(Date.now() + Math.min(REFRESH_TOKEN_TTL_SECONDS * 1000, policy.refreshMs)),
          },
        )
      : null;
    // RFC 9396 §7: the details the user consented to, as the token carries them.
    return tokenResponse(access, { bound: Boolean(dpop), scopes, refresh, details: request.authorizationDetails });
  });
}
