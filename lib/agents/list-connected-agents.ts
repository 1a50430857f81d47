// The agents connected to a user: those holding an active grant from them, or that they own.
// Ownership is part of the query itself (STYLE habit 9).
import 'server-only';
import { db } from '@/lib/db/client';

export async function listConnectedAgents(options: { userId: string }) {
  const { userId } = options;
  const agents = await db().agent.findMany({
    where: { OR: [{ ownerUserId: userId }, { grants: { some: { userId, status: 'ACTIVE' } } }] },
    select: {
      id: true,
      name: true,
      clientId: true,
      logoUri: true,
      registration: true,
      verifiedDomain: true,
      status: true,
      grants: { where: { userId, status: 'ACTIVE' }, select: { scopes: true } },
      _count: { select: { tokens: { where: { userId, revokedAt: null, expiresAt: { gt: new Date() } } } } },
    },
    orderBy: { createdAt: 'desc' },
    take: 200,
  });
  return agents.map(({ grants, _count, ...agent }) => ({
    ...agent,
    scopes: [...new Set(grants.flatMap((g) => g.scopes))].sort(),
    activeTokens: _count.tokens,
  }));
}
