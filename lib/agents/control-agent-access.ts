// What a user can do to an agent's access to their account, each in one transaction with its audit
// record, each scoped to the user in the query itself (STYLE habit 9: another user's agent or token
// is simply not found):
// - the kill switch suspends the agent's grants from this user and revokes every token it holds
//   for them; nothing new is issued until the user resumes it;
// - resume makes the suspended grants usable again (the revoked tokens stay revoked);
// - revoke access ends the grants for good (a new consent is needed);
// - revoke one token, or every token of every agent ("revoke everything").
// The resource server checks the grant's state on every call, so a token issued in a race with the
// kill switch is refused too.
import 'server-only';
import { db } from '@/lib/db/client';
import { forgettingAfter } from '@/lib/cache/hot-cache';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import type { Prisma } from '@/lib/generated/prisma/client';

type Actor = { userId: string; ip: string };

async function revokeTokens(tx: Prisma.TransactionClient, where: Prisma.TokenWhereInput, reason: string) {
  const { count } = await tx.token.updateMany({ where: { ...where, revokedAt: null }, data: { revokedAt: new Date(), revokedReason: reason } });
  return count;
}

export async function suspendAgent(actor: Actor & { agentId: string }): Promise<{ found: boolean; revoked: number }> {
  return forgettingAfter(db().$transaction(async (tx) => {
    const grants = await tx.grant.updateMany({ where: { userId: actor.userId, agentId: actor.agentId, status: 'ACTIVE' }, data: { status: 'SUSPENDED' } });
    const known = grants.count > 0 || (await tx.grant.count({ where: { userId: actor.userId, agentId: actor.agentId, status: 'SUSPENDED' } })) > 0;
    if (!known) return { found: false, revoked: 0 };
    const revoked = await revokeTokens(tx, { userId: actor.userId, agentId: actor.agentId }, 'kill switch: the user suspended the agent');
    await appendAuditEvent(tx, {
      action: 'agent.suspend',
      decision: 'ALLOW',
      reason: 'kill switch: the user suspended the agent',
      userId: actor.userId,
      agentId: actor.agentId,
      ip: actor.ip,
      details: { grants: grants.count, revokedTokens: revoked },
    });
    return { found: true, revoked };
  }));
}

export async function resumeAgent(actor: Actor & { agentId: string }): Promise<{ found: boolean }> {
  return forgettingAfter(db().$transaction(async (tx) => {
    const grants = await tx.grant.updateMany({ where: { userId: actor.userId, agentId: actor.agentId, status: 'SUSPENDED' }, data: { status: 'ACTIVE' } });
    if (!grants.count) return { found: false };
    await appendAuditEvent(tx, {
      action: 'agent.resume',
      decision: 'ALLOW',
      reason: 'the user resumed the agent',
      userId: actor.userId,
      agentId: actor.agentId,
      ip: actor.ip,
      details: { grants: grants.count },
    });
    return { found: true };
  }));
}

export async function revokeAgentAccess(actor: Actor & { agentId: string }): Promise<{ found: boolean; revoked: number }> {
  return forgettingAfter(db().$transaction(async (tx) => {
    const grants = await tx.grant.updateMany({
      where: { userId: actor.userId, agentId: actor.agentId, status: { in: ['ACTIVE', 'SUSPENDED'] } },
      data: { status: 'REVOKED', revokedAt: new Date() },
    });
    if (!grants.count) return { found: false, revoked: 0 };
    const revoked = await revokeTokens(tx, { userId: actor.userId, agentId: actor.agentId }, 'the user revoked the agent’s access');
    await appendAuditEvent(tx, {
      action: 'grant.revoke',
      decision: 'ALLOW',
      reason: 'the user revoked the agent’s access',
      userId: actor.userId,
      agentId: actor.agentId,
      ip: actor.ip,
      details: { grants: grants.count, revokedTokens: revoked },
    });
    return { found: true, revoked };
  }));
}

export async function revokeUserToken(actor: Actor & { tokenId: string }): Promise<{ found: boolean; revoked: number }> {
  return forgettingAfter(db().$transaction(async (tx) => {
    const token = await tx.token.findFirst({
      where: { id: actor.tokenId, userId: actor.userId },
      select: { id: true, kind: true, agentId: true, familyId: true, grantId: true, scopes: true, revokedAt: true },
    });
    if (!token) return { found: false, revoked: 0 };
    // A refresh token takes its family and its grant's access tokens along (as RFC 7009 §2.1 allows).
    const where: Prisma.TokenWhereInput =
      token.kind === 'REFRESH'
        ? { OR: [{ id: token.id }, ...(token.familyId ? [{ familyId: token.familyId }] : []), ...(token.grantId ? [{ grantId: token.grantId, kind: 'ACCESS' as const }] : [])] }
        : { id: token.id };
    const revoked = await revokeTokens(tx, { ...where, userId: actor.userId }, 'revoked by the user');
    if (revoked) {
      await appendAuditEvent(tx, {
        action: 'token.revoke',
        decision: 'ALLOW',
        reason: 'revoked by the user',
        userId: actor.userId,
        agentId: token.agentId,
        tokenId: token.id,
        scopes: token.scopes,
        ip: actor.ip,
        details: { kind: token.kind, revoked },
      });
    }
    return { found: true, revoked };
  }));
}

export async function revokeAllTokens(actor: Actor): Promise<{ revoked: number }> {
  return forgettingAfter(db().$transaction(async (tx) => {
    const revoked = await revokeTokens(tx, { userId: actor.userId }, 'the user revoked everything');
    await appendAuditEvent(tx, {
      action: 'token.revoke_all',
      decision: 'ALLOW',
      reason: 'the user revoked every token of every agent',
      userId: actor.userId,
      ip: actor.ip,
      details: { revoked },
    });
    return { revoked };
  }));
}
