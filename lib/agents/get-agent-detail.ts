// One agent as its user sees it (the agent detail screen): its identity, the grants the user gave
// it, its active tokens, recent activity, the policy in force and the scopes it really used. Null
// when the agent is not connected to this user (another user's agent is simply not found).
import 'server-only';
import { flushTokenUses } from '@/lib/tokens/note-token-use';
import { db } from '@/lib/db/client';
import { dailyActivity, usedScopes } from '@/lib/agents/agent-activity';
import { loadAgentPolicy } from '@/lib/policy/load-agent-policy';

export async function getAgentDetail(options: { userId: string; agentId: string }) {
  // This instance's last uses are written first, so the screen shows the call just made.
  await flushTokenUses();
  const { userId, agentId } = options;
  const agent = await db().agent.findFirst({
    // Connected by a grant, owned, or acting for the user by delegation (tokens for them).
    where: { id: agentId, OR: [{ ownerUserId: userId }, { grants: { some: { userId } } }, { tokens: { some: { userId } } }] },
    select: { id: true, name: true, clientId: true, logoUri: true, clientUri: true, registration: true, verifiedDomain: true, status: true, createdAt: true },
  });
  if (!agent) return null;
  const [grants, activeTokens, recent, activity, used, policy] = await Promise.all([
    db().grant.findMany({
      where: { userId, agentId },
      select: {
        id: true,
        scopes: true,
        resources: true,
        status: true,
        remembered: true,
        createdAt: true,
        revokedAt: true,
        _count: { select: { tokens: { where: { revokedAt: null, expiresAt: { gt: new Date() } } } } },
      },
      orderBy: { createdAt: 'desc' },
      take: 50,
    }),
    db().token.findMany({
      where: { userId, agentId, revokedAt: null, expiresAt: { gt: new Date() } },
      select: { id: true, kind: true, prefix: true, scopes: true, audience: true, expiresAt: true, lastUsedAt: true, lastUsedIp: true, jit: true },
      orderBy: { createdAt: 'desc' },
      take: 50,
    }),
    db().auditEvent.findMany({
      where: { userId, agentId },
      select: { id: true, createdAt: true, action: true, decision: true, reason: true, resource: true },
      orderBy: { id: 'desc' },
      take: 15,
    }),
    dailyActivity({ userId, agentId, days: 14 }),
    usedScopes({ userId, agentId, days: 30 }),
    loadAgentPolicy({ userId, agentId }),
  ]);
  const granted = [...new Set(grants.filter((g) => g.status !== 'REVOKED').flatMap((g) => g.scopes))].sort();
  return {
    agent,
    suspended: grants.some((g) => g.status === 'SUSPENDED'),
    // A delegation-only agent (no grant, live tokens) is connected too: the person can stop it.
    connected: grants.some((g) => g.status !== 'REVOKED') || (grants.length === 0 && activeTokens.length > 0),
    grants,
    activeTokens: activeTokens.length,
    tokens: activeTokens,
    recent,
    activity: activity.get(agentId)!, // zeros included when it made no calls
    scopes: { granted, used, unused: granted.filter((s) => s !== 'offline_access' && !used.includes(s)) },
    policy: { version: policy.version, document: policy.document },
  };
}

export type AgentDetail = NonNullable<Awaited<ReturnType<typeof getAgentDetail>>>;
