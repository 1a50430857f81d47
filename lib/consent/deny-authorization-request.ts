// Denying (or failing a prompt=none) authorization request, with its audit record.
import 'server-only';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { authorizationRedirect } from '@/lib/oauth/authorization-response';
import { AlreadyDecidedError } from '@/lib/consent/approve-authorization-request';
import { denyRequest } from '@/lib/oauth/authorization-request-states';
import type { Prisma } from '@/lib/generated/prisma/client';

export async function denyAuthorizationRequest(
  tx: Prisma.TransactionClient,
  options: {
    request: { id: string; agentId: string; redirectUri: string; state: string | null; scopes: string[] };
    userId: string;
    error: 'access_denied' | 'consent_required';
    description: string;
    ip: string;
  },
): Promise<string> {
  const { request, userId } = options;
  if (!(await denyRequest(tx, { id: request.id, userId }))) throw new AlreadyDecidedError('The request was already decided.');
  await appendAuditEvent(tx, {
    action: 'consent.deny',
    decision: 'DENY',
    userId,
    agentId: request.agentId,
    scopes: request.scopes,
    ip: options.ip,
    reason: options.description,
    details: { authorization_request: request.id, error: options.error },
  });
  return authorizationRedirect(request.redirectUri, {
    error: options.error,
    error_description: options.description,
    state: request.state ?? undefined,
  });
}
