// One agent call as the resource server sees it, and how a refusal of it is recorded: every
// decision, allow or deny, gets an audit row (issue 4, step 7).
import 'server-only';
import { appendAuditEventGrouped } from '@/lib/audit/audit-group-commit';
import { db } from '@/lib/db/client';
import { appendAuditEvent, type AuditInput, type AuditDecision } from '@/lib/audit/append-audit-event';
import { clientIp } from '@/lib/http/client-ip';
import { requestIdOf } from '@/lib/log/request-context';
import type { FoundToken } from '@/lib/tokens/find-token';
import { storedIntent } from '@/lib/audit/stored-intent';
import type { CallAction } from '@/lib/audit/events';
import { emitEvent } from '@/lib/events/leash-events';
import { refusalResponse, type ResourceRefusal } from '@/lib/resource/refusal';
import type { MachineRequest } from '@/lib/http/machine-request';

export type CallContext = {
  request: MachineRequest;
  ip: string;
  requestId: string;
  resourceLabel: string;
  /** The `Agent-Intent` header as sent (stored per the user's privacy setting). */
  intent: string | null;
};

export function callContext(request: MachineRequest): CallContext {
  return {
    request,
    ip: clientIp(request.headers),
    requestId: requestIdOf(request),
    resourceLabel: `${request.method} ${new URL(request.url).pathname}`,
    intent: request.headers.get('agent-intent'),
  };
}

/** Records a refused call (`reason` goes to the audit row only), and answers it, tagged with the request id. */
export async function recordRefusal(
  call: CallContext,
  refusal: {
    refused: ResourceRefusal;
    reason: string;
    action: CallAction;
    scopes: string[];
    token: FoundToken | null;
    decision?: Exclude<AuditDecision, 'ALLOW'>;
    /** The id of the policy rule that decided, when the policy decided (told to the listeners, not stored). */
    policyRule?: string;
  },
): Promise<Response> {
  const decision = refusal.decision ?? 'DENY';
  const row: AuditInput<CallAction> = {
    action: refusal.action,
    decision,
    reason: refusal.reason,
    userId: refusal.token?.userId ?? null,
    agentId: refusal.token?.agentId ?? null,
    tokenId: refusal.token?.id ?? null,
    scopes: refusal.scopes,
    resource: call.resourceLabel,
    ip: call.ip,
    requestId: call.requestId,
    intent: storedIntent(call.intent, refusal.token?.user),
  };
  // Group-committed like a read's row (a storm of refused calls must not take a transaction
  // each); with a full intent text, its two rows in one transaction.
  if (row.intent?.text) await db().$transaction((tx) => appendAuditEvent(tx, row));
  else await appendAuditEventGrouped(row);
  // The row has committed: the alert rules listen (lib/alerts). They never change the answer, so
  // the answer does not wait for them, as an allowed call's does not (operation.ts): the
  // denied-calls rule reads the user's settings and counts recent refusals in a transaction, which
  // made every refused call pay for its own anomaly check (about 10–30 ms; issue 16 §2's policy
  // change was slowest on its denies). A storm of refusals still runs one check at a time per
  // rule, agent and user (lib/alerts/raise-alert.ts).
  void emitEvent('call.refused', {
    userId: refusal.token?.userId ?? null,
    agentId: refusal.token?.agentId ?? null,
    action: refusal.action,
    decision,
    policyRule: refusal.policyRule ?? null,
  });
  const response = refusalResponse(refusal.refused);
  response.headers.set('X-Request-Id', call.requestId);
  return response;
}
