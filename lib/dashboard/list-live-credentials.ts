// The Tokens screen's data: every active credential of the user's agents, and the agents that hold
// them (or that the user suspended), with what the screen's controls need. Ownership is in the query.
import 'server-only';
import { registeredWords } from '@/lib/protected-resources/registry';
import { flushTokenUses } from '@/lib/tokens/note-token-use';
import { db } from '@/lib/db/client';
import { actorChain, describeDelegation } from '@/lib/words/plain-words';

export async function listLiveCredentials(options: { userId: string }) {
  // This instance's last uses are written first, so the screen shows the call just made.
  await flushTokenUses();
  const { userId } = options;
  const now = new Date();
  const [tokens, grants] = await Promise.all([
    db().token.findMany({
      where: { userId, revokedAt: null, expiresAt: { gt: now } },
      select: {
        id: true,
        kind: true,
        prefix: true,
        scopes: true,
        audience: true,
        createdAt: true,
        expiresAt: true,
        lastUsedAt: true,
        lastUsedIp: true,
        jit: true,
        // Narrowed tokens (RFC 8693, no actor) are shown under the token they came from.
        parentTokenId: true,
        agentId: true,
        agent: { select: { name: true } },
        // Delegated tokens (RFC 8693 with an actor): who acts, for the agent the person allowed.
        actor: true,
        grant: { select: { agent: { select: { name: true } } } },
      },
      orderBy: { createdAt: 'desc' },
      take: 500,
    }),
    db().grant.findMany({
      where: { userId, status: { in: ['ACTIVE', 'SUSPENDED'] } },
      select: { agentId: true, status: true, agent: { select: { name: true, clientId: true, verifiedDomain: true } } },
    }),
  ]);
  const agents = new Map<string, { id: string; name: string; clientId?: string; verifiedDomain?: string | null; suspended: boolean }>();
  for (const grant of grants) {
    const agent = agents.get(grant.agentId) ?? { id: grant.agentId, name: grant.agent.name, clientId: grant.agent.clientId, verifiedDomain: grant.agent.verifiedDomain, suspended: false };
    agent.suspended ||= grant.status === 'SUSPENDED';
    agents.set(grant.agentId, agent);
  }
  const actorIds = [...new Set(tokens.flatMap((t) => actorChain(t.actor)))];
  const actorNames = new Map(actorIds.length ? (await db().agent.findMany({ where: { clientId: { in: actorIds } }, select: { clientId: true, name: true } })).map((a) => [a.clientId, a.name]) : []);
  return {
    tokens: tokens.map(({ agent, grant, actor, ...token }) => ({
      ...token,
      agentName: agent.name,
      delegation: actor
        ? describeDelegation(
            actorChain(actor).map((id) => actorNames.get(id) ?? 'an agent no longer registered'),
            grant?.agent.name ?? null,
          )
        : null,
      actorClientIds: actorChain(actor),
      createdAt: token.createdAt.toISOString(),
      expiresAt: token.expiresAt.toISOString(),
      lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    })),
    agents: [...agents.values()].sort((a, b) => a.name.localeCompare(b.name)),
    /** Registered APIs' scope and audience words (describeScope / describeAudience take them). */
    words: await registeredWords(),
  };
}

export type LiveCredentials = Awaited<ReturnType<typeof listLiveCredentials>>;
