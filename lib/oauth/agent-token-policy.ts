// The user's policy for an agent also bounds what the authorization server issues (issue 4): the
// scopes are cut to the policy's scope ceiling (RFC 6749 §3.3 lets the server issue less than was
// asked, and §5.1 then requires `scope` in the response; nothing left is `invalid_scope`), the
// access token lives as long as the policy says, and refresh tokens are issued only when the
// policy allows them, for at most its number of days. Refusals are audited.
import 'server-only';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { OAuthError } from '@/lib/oauth/errors';
import { loadAgentPolicy } from '@/lib/policy/load-agent-policy';
import { withinScopeCeiling } from '@/lib/policy/policy-document';
import { revokeTokens, revoking } from '@/lib/tokens/revoke-tokens';
import { log } from '@/lib/log/logger';

const DAY_MS = 86_400_000;

export type TokenPolicy = {
  version: number;
  /** The requested scopes the policy allows, in their order (offline_access only where refresh is allowed). */
  allowedScopes: (scopes: string[]) => string[];
  accessTokenSeconds: number;
  refreshAllowed: boolean;
  refreshMs: number;
  dpopRequired: boolean;
};

export async function tokenPolicy(options: { userId: string; agentId: string; ip?: string }): Promise<TokenPolicy> {
  let loaded: Awaited<ReturnType<typeof loadAgentPolicy>>;
  try {
    loaded = await loadAgentPolicy(options);
  } catch (error) {
    // A policy that cannot be read decides nothing: fail closed like the resource server (503,
    // audited when the database still answers), and issue nothing.
    log('oauth').error({ err: error }, 'policy could not be loaded');
    await db()
      .$transaction((tx) =>
        appendAuditEvent(tx, {
          action: 'token.refuse',
          decision: 'DENY',
          agentId: options.agentId,
          userId: options.userId,
          ip: options.ip ?? null,
          reason: "refused: the agent's policy could not be loaded (failing closed)",
        }),
      )
      .catch(() => undefined);
    throw new OAuthError('temporarily_unavailable', 'The request cannot be decided right now. Try again later.', { headers: { 'Retry-After': '5' } });
  }
  const { document, version } = loaded;
  return {
    version,
    allowedScopes: (scopes) => scopes.filter((s) => withinScopeCeiling(document, s) && (s !== 'offline_access' || document.tokens.refreshAllowed)),
    accessTokenSeconds: document.tokens.accessTokenSeconds,
    refreshAllowed: document.tokens.refreshAllowed,
    refreshMs: document.tokens.refreshDays * DAY_MS,
    dpopRequired: document.tokens.dpopRequired,
  };
}

/** Records a token request the policy refused, then throws its OAuth error. */
export async function refuseByPolicy(refusal: { agentId: string; userId: string; ip: string; reason: string; scopes?: string[]; revokeFamily?: string | null }, error: OAuthError): Promise<never> {
  await revoking(async (tx) => {
    const revoked = refusal.revokeFamily ? await revokeTokens(tx, { family: refusal.revokeFamily }, refusal.reason) : 0;
    await appendAuditEvent(tx, {
      action: 'token.refuse',
      decision: 'DENY',
      agentId: refusal.agentId,
      userId: refusal.userId,
      scopes: refusal.scopes ?? [],
      ip: refusal.ip,
      reason: refusal.reason,
      details: { error: error.code, ...(revoked ? { revoked } : {}) },
    });
  });
  throw error;
}
