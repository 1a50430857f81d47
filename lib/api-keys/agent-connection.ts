// Whether a person's connection to an agent lets an API key be made or exchanged: the same reading
// of the grants as the token exchange's (lib/oauth/grants/token-exchange.ts): any suspended grant
// is the kill switch; no active grant left means the person revoked the agent's access (or never
// connected it). The active grant is the one the exchanged tokens descend from, so the resource
// server's per-call check of the grant's state applies to them too.
import 'server-only';
import type { Prisma } from '@/lib/generated/prisma/client';

export type AgentConnection = { state: 'active'; grantId: string } | { state: 'suspended' } | { state: 'revoked' };

export async function agentConnection(q: Prisma.TransactionClient, options: { userId: string; agentId: string }): Promise<AgentConnection> {
  const grants = await q.grant.findMany({
    where: { userId: options.userId, agentId: options.agentId, status: { in: ['ACTIVE', 'SUSPENDED'] } },
    select: { id: true, status: true, scopes: true },
    orderBy: { createdAt: 'desc' },
  });
  if (grants.some((g) => g.status === 'SUSPENDED')) return { state: 'suspended' };
  // A grant with no scopes is the record that stops a delegation-only agent, never a connection.
  const active = grants.find((g) => g.status === 'ACTIVE' && g.scopes.length > 0);
  return active ? { state: 'active', grantId: active.id } : { state: 'revoked' };
}
