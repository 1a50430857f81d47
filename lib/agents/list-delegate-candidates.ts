// The agents a person may let act for one of their agents (the policy editor's Delegation card,
// RFC 8693 `may_act`): their other connected agents, and any agent the policy already names, so a
// saved client_id shows as a name. Ownership is part of the query (STYLE habit 9).
import 'server-only';
import { db } from '@/lib/db/client';

export type DelegateCandidate = { clientId: string; name: string; logoUri: string | null; verifiedDomain: string | null; connected: boolean };

export async function listDelegateCandidates(options: { userId: string; agentId: string; named: string[] }): Promise<DelegateCandidate[]> {
  const { userId, agentId, named } = options;
  // Connected as on the Agents screen (lib/agents/list-connected-agents.ts): owned, or a grant that is not revoked.
  const live = { userId, status: { in: ['ACTIVE' as const, 'SUSPENDED' as const] } };
  const agents = await db().agent.findMany({
    where: { id: { not: agentId }, OR: [{ ownerUserId: userId }, { grants: { some: live } }, { clientId: { in: named } }] },
    select: {
      clientId: true,
      name: true,
      logoUri: true,
      verifiedDomain: true,
      ownerUserId: true,
      grants: { where: live, select: { id: true }, take: 1 },
    },
    // Alike names next to each other, where the client id fragment tells them apart.
    orderBy: [{ name: 'asc' }, { createdAt: 'asc' }],
    take: 200,
  });
  return agents.map(({ ownerUserId, grants, ...agent }) => ({ ...agent, connected: ownerUserId === userId || grants.length > 0 }));
}
