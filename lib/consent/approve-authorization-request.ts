// Approving an authorization request, inside the caller's transaction: the grant (the user's
// consent), a single-use authorization code, and the audit record, together or not at all.
import 'server-only';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { authorizationRedirect } from '@/lib/oauth/authorization-response';
import { approveRequest, AUTHORIZATION_CODE_TTL_SECONDS } from '@/lib/oauth/authorization-request-states';
import { hashToken, mintToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';
import type { Prisma } from '@/lib/generated/prisma/client';

type PendingRequest = {
  id: string;
  agentId: string;
  redirectUri: string;
  state: string | null;
  resources: string[];
  authorizationDetails: Prisma.JsonValue | null;
};

export class AlreadyDecidedError extends Error {}

/** The user's kill switch is on for this agent: nothing is granted until they resume it. */
export class AgentSuspendedError extends Error {}

export async function isAgentSuspended(tx: Prisma.TransactionClient, userId: string, agentId: string): Promise<boolean> {
  return (await tx.grant.count({ where: { userId, agentId, status: 'SUSPENDED' } })) > 0;
}

export async function approveAuthorizationRequest(
  tx: Prisma.TransactionClient,
  options: {
    request: PendingRequest;
    userId: string;
    scopes: string[];
    remember: boolean;
    /** A remembered grant that already covers the request. */
    existingGrantId?: string;
    ip: string;
  },
): Promise<string> {
  const { request, userId, scopes } = options;
  if (await isAgentSuspended(tx, userId, request.agentId)) throw new AgentSuspendedError('The user suspended this agent.');
  const grantId =
    options.existingGrantId ??
    (
      await tx.grant.create({
        data: {
          userId,
          agentId: request.agentId,
          scopes,
          resources: request.resources,
          authorizationDetails: request.authorizationDetails ?? undefined,
          remembered: options.remember,
        },
        select: { id: true },
      })
    ).id;
  const code = mintToken(TOKEN_PREFIX.authorizationCode);
  const now = new Date();
  // Compare-and-swap: only a PENDING request of this user can be approved, once.
  const approved = await approveRequest(tx, {
    id: request.id,
    userId,
    now,
    scopes,
    grantId,
    codeHash: hashToken(code),
    codeExpiresAt: new Date(now.getTime() + AUTHORIZATION_CODE_TTL_SECONDS * 1000),
  });
  if (!approved) throw new AlreadyDecidedError('The request was already decided or has expired.');
  await appendAuditEvent(tx, {
    action: 'consent.grant',
    decision: 'ALLOW',
    userId,
    agentId: request.agentId,
    scopes,
    resource: request.resources.join(' '),
    ip: options.ip,
    reason: options.existingGrantId ? 'remembered consent' : options.remember ? 'consent given and remembered' : 'consent given',
    details: { authorization_request: request.id, grant: grantId },
  });
  return authorizationRedirect(request.redirectUri, { code, state: request.state ?? undefined });
}
