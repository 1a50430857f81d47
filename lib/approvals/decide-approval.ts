// The user's answer to a just-in-time elevation request. Approving needs a second factor proven
// for this request (its required acr): an authenticator code, a recovery code, or a passkey whose
// challenge carries the request's digest (dynamic linking: what the person confirms is what the
// factor signs). A multi-factor session alone is not enough, so one step-up cannot approve
// everything for hours. Each answer is a compare-and-swap on a PENDING, unexpired request of this
// user, so approving twice, approving an expired request, or an approve racing a deny leaves
// exactly one outcome. Agents never reach this: it needs the user's signed-in session. Audited in
// the same transaction.
import 'server-only';
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { isStrongAcr } from '@/lib/auth/assurance';

export type DecisionOutcome = 'approved' | 'denied' | 'second_factor_required' | 'second_factor_failed' | 'not_found' | 'already_decided' | 'expired';
export type SecondFactor = 'totp' | 'recovery' | 'passkey';

const WORDS: Record<SecondFactor, string> = { totp: 'authenticator app', recovery: 'recovery code', passkey: 'passkey' };

type DecidedRequest = { id: string; agentId: string; scopes: string[]; resources: string[]; authorizationDetails: unknown; status: string; requiredAcr: string | null };

/** What a second factor approving this request signs: its id and exactly what it grants. */
export function approvalDigest(request: Pick<DecidedRequest, 'id' | 'agentId' | 'scopes' | 'resources' | 'authorizationDetails'>): Uint8Array {
  const canonical = JSON.stringify([request.id, request.agentId, [...request.scopes].sort(), [...request.resources].sort(), request.authorizationDetails ?? null]);
  return new Uint8Array(crypto.createHash('sha256').update(`leash-approval:${canonical}`).digest());
}

/** Whether approving this request needs a second factor proven for it. */
export function needsSecondFactor(request: Pick<DecidedRequest, 'requiredAcr'>): boolean {
  return isStrongAcr(request.requiredAcr);
}

export async function findUserApproval(userId: string, id: string): Promise<DecidedRequest | null> {
  return db().approvalRequest.findFirst({
    where: { id, userId },
    select: { id: true, agentId: true, scopes: true, resources: true, authorizationDetails: true, status: true, requiredAcr: true },
  });
}

export async function decideApproval(options: {
  userId: string;
  id: string;
  approve: boolean;
  ip: string;
  /** Proves the second factor for this request (null: none was offered; false: it failed). */
  prove?: (request: DecidedRequest) => Promise<SecondFactor | null | false>;
}): Promise<DecisionOutcome> {
  const request = await findUserApproval(options.userId, options.id);
  if (!request) return 'not_found';
  let factor: SecondFactor | null = null;
  if (options.approve && needsSecondFactor(request)) {
    if (request.status !== 'PENDING') return request.status === 'EXPIRED' ? 'expired' : 'already_decided';
    const proven = (await options.prove?.(request)) ?? null;
    if (proven === null) return 'second_factor_required';
    if (proven === false) return 'second_factor_failed';
    factor = proven;
  }
  const now = new Date();
  return db().$transaction(async (tx) => {
    const changed = await tx.approvalRequest.updateMany({
      where: { id: request.id, userId: options.userId, status: 'PENDING', expiresAt: { gt: now } },
      data: { status: options.approve ? 'APPROVED' : 'DENIED', decidedAt: now },
    });
    // EXPIRED: marked so by lib/notifications/approval-clock.ts once its time ran out.
    if (changed.count !== 1) return request.status === 'PENDING' || request.status === 'EXPIRED' ? 'expired' : 'already_decided';
    await appendAuditEvent(tx, {
      action: options.approve ? 'elevation.approve' : 'elevation.deny',
      decision: options.approve ? 'ALLOW' : 'DENY',
      reason: options.approve ? (factor ? `approved by the user, confirmed for this request with a ${WORDS[factor]}` : 'approved by the user') : 'denied by the user',
      userId: options.userId,
      agentId: request.agentId,
      scopes: request.scopes,
      ip: options.ip,
      details: { approval_request: request.id, ...(factor ? { second_factor: factor } : {}) },
    });
    return options.approve ? 'approved' : 'denied';
  });
}

/** Bulk deny: every listed request of this user still pending is denied, each with its audit row. */
export async function denyApprovals(options: { userId: string; ids: string[]; ip: string }): Promise<number> {
  const now = new Date();
  return db().$transaction(async (tx) => {
    const pending = await tx.approvalRequest.findMany({
      where: { id: { in: options.ids }, userId: options.userId, status: 'PENDING', expiresAt: { gt: now } },
      select: { id: true, agentId: true, scopes: true },
    });
    let denied = 0;
    for (const request of pending) {
      const changed = await tx.approvalRequest.updateMany({ where: { id: request.id, status: 'PENDING' }, data: { status: 'DENIED', decidedAt: now } });
      if (changed.count !== 1) continue;
      denied++;
      await appendAuditEvent(tx, {
        action: 'elevation.deny',
        decision: 'DENY',
        reason: 'denied by the user (with others at once)',
        userId: options.userId,
        agentId: request.agentId,
        scopes: request.scopes,
        ip: options.ip,
        details: { approval_request: request.id, bulk: true },
      });
    }
    return denied;
  });
}
