// How an agent call ends: the audit row of an allowed call (written in the call's transaction, so
// it commits with whatever the call changes, or group-committed for calls that change nothing),
// and the fail-closed answer when a call cannot be decided or recorded. Used by every operation (lib/resource/operation.ts) and the MCP endpoint.
import 'server-only';
import { appendAuditEvent, type AuditInput } from '@/lib/audit/append-audit-event';
import { appendAuditEventGrouped } from '@/lib/audit/audit-group-commit';
import { db } from '@/lib/db/client';
import { recordRefusal, type CallContext } from '@/lib/resource/call-context';
import { refusalResponse, ResourceRefusal } from '@/lib/resource/refusal';
import type { FoundToken } from '@/lib/tokens/find-token';
import { storedIntent } from '@/lib/audit/stored-intent';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { CallAction, CallDetails } from '@/lib/audit/events';

/**
 * The audit row of an allowed call. With `tx`, in the call's transaction (it commits with what the
 * call changed); without, for calls that change nothing, through group commit
 * (lib/audit/audit-group-commit.ts). Either way it has committed when the promise resolves, or it
 * rejects (or this throws) and the call fails closed.
 */
export function recordAllowed(tx: Prisma.TransactionClient | null, call: CallContext, token: FoundToken, action: CallAction, reason: string, scopes: string[], details: CallDetails): Promise<unknown> {
  const row: AuditInput<CallAction> = {
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
  };
  if (tx) return appendAuditEvent(tx, row);
  // The full intent text is a second row in another table: those two commit together.
  if (row.intent?.text) return db().$transaction((t) => appendAuditEvent(t, row));
  // The group commit's own promise, waited for by the caller: no promise of this function's own.
  return appendAuditEventGrouped(row);
}

export async function failClosed(call: CallContext, audit: { action: CallAction; scopes: string[] }, error: unknown): Promise<Response> {
  // The error is logged once, by the serializer (`cause`: never sent).
  const refused = new ResourceRefusal('temporarily_unavailable', 'The service cannot decide this request right now.', {
    status: 503,
    headers: { 'Retry-After': '5' },
    debug: 'request failed',
    cause: error,
  });
  try {
    return await recordRefusal(call, { refused, reason: 'refused: the request could not be decided (failing closed)', token: null, ...audit });
  } catch {
    const response = refusalResponse(refused);
    response.headers.set('X-Request-Id', call.requestId);
    return response;
  }
}
