// How an agent call ends: the audit row of an allowed call (written in the call's transaction, so
// it commits with whatever the call changes), and the fail-closed answer when a call cannot be
// decided or recorded. Used by every operation (lib/resource/operation.ts) and the MCP endpoint.
import 'server-only';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { recordRefusal, type CallContext } from '@/lib/resource/call-context';
import type { FoundToken } from '@/lib/tokens/find-token';
import { storedIntent } from '@/lib/audit/stored-intent';
import type { Prisma } from '@/lib/generated/prisma/client';

/** The audit row of an allowed call, and the token's last use, in the call's transaction. */
export async function recordAllowed(
  tx: Prisma.TransactionClient,
  call: CallContext,
  token: FoundToken,
  action: string,
  reason: string,
  scopes: string[],
  details: Prisma.InputJsonObject,
) {
  await tx.token.update({ where: { id: token.id }, data: { lastUsedAt: new Date(), lastUsedIp: call.ip } });
  await appendAuditEvent(tx, {
    action,
    decision: 'ALLOW',
    reason,
    userId: token.userId,
    agentId: token.agentId,
    actor: (token.actor as Prisma.InputJsonValue | null) ?? null,
    tokenId: token.id,
    scopes,
    resource: call.resourceLabel,
    ip: call.ip,
    requestId: call.requestId,
    intent: storedIntent(call.intent, token.user),
    details,
  });
}

export async function failClosed(call: CallContext, audit: { action: string; scopes: string[] }, error: unknown): Promise<Response> {
  console.error('[resource] request failed:', error);
  const response = Response.json(
    { error: 'temporarily_unavailable', error_description: 'The service cannot decide this request right now.' },
    { status: 503, headers: { 'Cache-Control': 'no-store', 'Retry-After': '5' } },
  );
  try {
    return await recordRefusal(call, { response, reason: 'refused: the request could not be decided (failing closed)', token: null, ...audit });
  } catch {
    response.headers.set('X-Request-Id', call.requestId);
    return response;
  }
}
