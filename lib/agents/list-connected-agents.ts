// The agents connected to a user: those holding an active or suspended grant from them, those that
// act for them only through delegation (live tokens, no grant), or that they own, with what the Agents screen shows (status for this user, last use, calls per day).
// Ownership is part of the query itself (STYLE habit 9).
import 'server-only';
import { flushTokenUses } from '@/lib/tokens/note-token-use';
import { db } from '@/lib/db/client';
import { dailyActivity } from '@/lib/agents/agent-activity';

export async function listConnectedAgents(options: { userId: string }) {
  // This instance's last uses are written first, so the screen shows the call just made.
  await flushTokenUses();
  const { userId } = options;
  const agents = await db().agent.findMany({
    where: {
      OR: [
        { ownerUserId: userId },
        { grants: { some: { userId, status: { in: ['ACTIVE', 'SUSPENDED'] } } } },
        // Acting for this user only through delegation (RFC 8693, for another agent): live tokens, no grant.
        { AND: [{ tokens: { some: { userId, revokedAt: null, expiresAt: { gt: new Date() } } } }, { grants: { none: { userId } } }] },
      ],
    },
    select: {
      id: true,
      name: true,
      clientId: true,
      logoUri: true,
      registration: true,
      verifiedDomain: true,
      status: true,
      ownerUserId: true,
      grants: { where: { userId, status: { in: ['ACTIVE', 'SUSPENDED'] } }, select: { scopes: true, status: true } },
      _count: { select: { tokens: { where: { userId, revokedAt: null, expiresAt: { gt: new Date() } } } } },
    },
    orderBy: { createdAt: 'desc' },
    take: 200,
  });
  const ids = agents.map((a) => a.id);
  const [lastUse, activity] = await Promise.all([
    db().token.groupBy({ by: ['agentId'], where: { userId, agentId: { in: ids } }, _max: { lastUsedAt: true } }),
    dailyActivity({ userId, agentIds: ids, days: 14 }),
  ]);
  return agents.map(({ grants, _count, ownerUserId, ...agent }) => ({
    ...agent,
    /** Acts for this user only by delegation (no consent of its own): shown, and can be stopped. */
    delegatedOnly: ownerUserId !== userId && grants.every((g) => g.scopes.length === 0),
    suspended: grants.some((g) => g.status === 'SUSPENDED'),
    scopes: [...new Set(grants.flatMap((g) => g.scopes))].sort(),
    activeTokens: _count.tokens,
    lastUsedAt: lastUse.find((l) => l.agentId === agent.id)?._max.lastUsedAt?.toISOString() ?? null,
    activity: activity.get(agent.id)!, // every agent asked for has a series, zeros included
  }));
}

export type ConnectedAgent = Awaited<ReturnType<typeof listConnectedAgents>>[number];
