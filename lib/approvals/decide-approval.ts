// The user's answer to a just-in-time elevation request. Approving needs a multi-factor session
// (the request's required acr): a password alone cannot approve a payment. Each answer is a
// compare-and-swap on a PENDING, unexpired request of this user, so approving twice, approving an
// expired request, or an approve racing a deny leaves exactly one outcome. Agents never reach
// this: it needs the user's signed-in session. Audited in the same transaction.
import 'server-only';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { ACR } from '@/lib/auth/assurance';

export type DecisionOutcome = 'approved' | 'denied' | 'step_up' | 'not_found' | 'already_decided' | 'expired';

const STRONG = new Set<string>([ACR.mfa, ACR.phishingResistant]);

export async function decideApproval(options: { userId: string; sessionAcr: string; id: string; approve: boolean; ip: string }): Promise<DecisionOutcome> {
  const request = await db().approvalRequest.findFirst({ where: { id: options.id, userId: options.userId }, select: { id: true, agentId: true, scopes: true, status: true, expiresAt: true, requiredAcr: true } });
  if (!request) return 'not_found';
  if (options.approve && request.requiredAcr && STRONG.has(request.requiredAcr) && !STRONG.has(options.sessionAcr)) return 'step_up';
  const now = new Date();
  return db().$transaction(async (tx) => {
    const changed = await tx.approvalRequest.updateMany({
      where: { id: request.id, userId: options.userId, status: 'PENDING', expiresAt: { gt: now } },
      data: { status: options.approve ? 'APPROVED' : 'DENIED', decidedAt: now },
    });
    if (changed.count !== 1) return request.status !== 'PENDING' ? 'already_decided' : 'expired';
    await appendAuditEvent(tx, {
      action: options.approve ? 'elevation.approve' : 'elevation.deny',
      decision: options.approve ? 'ALLOW' : 'DENY',
      reason: options.approve ? `approved by the user (${options.sessionAcr})` : 'denied by the user',
      userId: options.userId,
      agentId: request.agentId,
      scopes: request.scopes,
      ip: options.ip,
      details: { approval_request: request.id },
    });
    return options.approve ? 'approved' : 'denied';
  });
}
