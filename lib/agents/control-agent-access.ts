// What a user can do to an agent's access to their account, each in one transaction with its audit
// record, each scoped to the user in the query itself (STYLE habit 9: another user's agent or token
// is simply not found):
// - the kill switch suspends the agent's grants from this user and revokes every token it holds
//   for them; nothing new is issued until the user resumes it;
// - resume makes the suspended grants usable again (the revoked tokens stay revoked);
// - revoke access ends the grants for good (a new consent is needed);
// - revoke one token, or everything: every token of every agent, every grant (remembered consent
//   included) and every pending approval, so no agent comes straight back without asking again.
// An agent that acts for the user only through delegation (RFC 8693 token exchange, acting for
// another agent) holds tokens but no grant of its own: stopping it revokes those tokens and records
// a grant with no scopes in the stopped state, which the token exchange checks (a stopped actor
// gets nothing more for this user); resuming removes that record.
// The resource server checks the grant's state on every call, so a token issued in a race with the
// kill switch is refused too.
// API keys (lib/api-keys/): the kill switch blocks the agent's keys (an exchange checks the grants'
// state, so resuming unblocks them); revoking the agent's access, or everything, revokes them.
// Either way the tokens exchanged for them are revoked with the agent's other tokens.
import 'server-only';
import { db } from '@/lib/db/client';
import { forgettingAfter } from '@/lib/cache/hot-cache';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import type { Prisma } from '@/lib/generated/prisma/client';
import { revokeTokens, revoking, tokenWithFamily } from '@/lib/tokens/revoke-tokens';
import { revokeApiKeys } from '@/lib/api-keys/revoke-api-keys';

type Actor = { userId: string; ip: string };

/** Whether the agent acts for this user only through delegation: tokens for them, no grant at all. */
async function actsOnlyByDelegation(tx: Prisma.TransactionClient, actor: Actor & { agentId: string }): Promise<boolean> {
  const [grants, tokens] = await Promise.all([
    tx.grant.count({ where: { userId: actor.userId, agentId: actor.agentId } }),
    tx.token.count({ where: { userId: actor.userId, agentId: actor.agentId } }),
  ]);
  return grants === 0 && tokens > 0;
}

/** The record that stops a delegation-only agent: a grant with nothing in it, in `status`. */
async function stopDelegatedAgent(tx: Prisma.TransactionClient, actor: Actor & { agentId: string }, status: 'SUSPENDED' | 'REVOKED') {
  await tx.grant.create({ data: { userId: actor.userId, agentId: actor.agentId, scopes: [], resources: [], status, ...(status === 'REVOKED' ? { revokedAt: new Date() } : {}) } });
}

export async function suspendAgent(actor: Actor & { agentId: string }): Promise<{ found: boolean; revoked: number }> {
  return revoking(async (tx) => {
    const grants = await tx.grant.updateMany({ where: { userId: actor.userId, agentId: actor.agentId, status: 'ACTIVE' }, data: { status: 'SUSPENDED' } });
    let known = grants.count > 0 || (await tx.grant.count({ where: { userId: actor.userId, agentId: actor.agentId, status: 'SUSPENDED' } })) > 0;
    if (!known && (await actsOnlyByDelegation(tx, actor))) {
      await stopDelegatedAgent(tx, actor, 'SUSPENDED');
      known = true;
    }
    if (!known) return { found: false, revoked: 0 };
    const revoked = await revokeTokens(tx, { agent: actor.agentId, user: actor.userId }, 'kill switch: the user suspended the agent');
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
  });
}

export async function resumeAgent(actor: Actor & { agentId: string }): Promise<{ found: boolean }> {
  // Not a revocation, but it changes grants the hot cache holds: dropped after the commit.
  return forgettingAfter(
    db().$transaction(async (tx) => {
      // A delegation-only agent's stop record goes; real grants become usable again.
      const records = await tx.grant.deleteMany({ where: { userId: actor.userId, agentId: actor.agentId, status: 'SUSPENDED', scopes: { isEmpty: true } } });
      const grants = await tx.grant.updateMany({ where: { userId: actor.userId, agentId: actor.agentId, status: 'SUSPENDED' }, data: { status: 'ACTIVE' } });
      if (!grants.count && !records.count) return { found: false };
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
    }),
  );
}

export async function revokeAgentAccess(actor: Actor & { agentId: string }): Promise<{ found: boolean; revoked: number }> {
  return revoking(async (tx) => {
    const grants = await tx.grant.updateMany({
      where: { userId: actor.userId, agentId: actor.agentId, status: { in: ['ACTIVE', 'SUSPENDED'] } },
      data: { status: 'REVOKED', revokedAt: new Date() },
    });
    if (!grants.count) {
      if (!(await actsOnlyByDelegation(tx, actor))) return { found: false, revoked: 0 };
      await stopDelegatedAgent(tx, actor, 'REVOKED');
    }
    const keys = await revokeApiKeys(tx, { user: actor.userId, agent: actor.agentId }, 'the user revoked the agent’s access');
    const revoked = await revokeTokens(tx, { agent: actor.agentId, user: actor.userId }, 'the user revoked the agent’s access');
    await appendAuditEvent(tx, {
      action: 'grant.revoke',
      decision: 'ALLOW',
      reason: 'the user revoked the agent’s access',
      userId: actor.userId,
      agentId: actor.agentId,
      ip: actor.ip,
      details: { grants: grants.count, revokedTokens: revoked + keys.tokens, ...(keys.keys ? { revokedApiKeys: keys.keys } : {}) },
    });
    return { found: true, revoked };
  });
}

export async function revokeUserToken(actor: Actor & { tokenId: string }): Promise<{ found: boolean; revoked: number }> {
  return revoking(async (tx) => {
    const token = await tx.token.findFirst({
      where: { id: actor.tokenId, userId: actor.userId },
      select: { id: true, kind: true, agentId: true, familyId: true, grantId: true, scopes: true, revokedAt: true },
    });
    if (!token) return { found: false, revoked: 0 };
    // A refresh token takes its family and its grant's access tokens along (as RFC 7009 §2.1 allows).
    const revoked = await revokeTokens(tx, tokenWithFamily(token), 'revoked by the user', { ownedBy: actor.userId });
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
  });
}

export async function revokeAllTokens(actor: Actor): Promise<{ revoked: number; grants: number; approvals: number; apiKeys: number }> {
  return revoking(async (tx) => {
    const keys = await revokeApiKeys(tx, { user: actor.userId }, 'the user revoked everything');
    const revoked = keys.tokens + (await revokeTokens(tx, { user: actor.userId }, 'the user revoked everything'));
    // Grants (remembered consent with them) end too, or agents would come straight back with new
    // tokens without asking; pending approvals are answered no.
    const grants = await tx.grant.updateMany({ where: { userId: actor.userId, status: { in: ['ACTIVE', 'SUSPENDED'] } }, data: { status: 'REVOKED', revokedAt: new Date() } });
    const approvals = await tx.approvalRequest.updateMany({ where: { userId: actor.userId, status: 'PENDING' }, data: { status: 'DENIED', decidedAt: new Date() } });
    await appendAuditEvent(tx, {
      action: 'token.revoke_all',
      decision: 'ALLOW',
      reason: 'the user revoked every token, grant and remembered consent of every agent',
      userId: actor.userId,
      ip: actor.ip,
      details: { revoked, grants: grants.count, approvals: approvals.count, ...(keys.keys ? { apiKeys: keys.keys } : {}) },
    });
    return { revoked, grants: grants.count, approvals: approvals.count, apiKeys: keys.keys };
  });
}
