// The API keys of one agent as its page shows them (live ones first, newest first), and those revoked or
// expired in the last 30 days so the person sees what stopped and why. The hash never leaves.
import 'server-only';
import { db } from '@/lib/db/client';
import { agentConnection } from '@/lib/api-keys/agent-connection';

const SHOWN_AFTER_END_MS = 30 * 86_400_000;

export type PresentedApiKey = {
  id: string;
  name: string;
  hint: string;
  scopes: string[];
  ipRanges: string[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
  /** `blocked`: live, but the agent is stopped (kill switch) so it cannot be exchanged. */
  status: 'active' | 'blocked' | 'expired' | 'revoked';
};

export async function listApiKeys(options: { userId: string; agentId: string }): Promise<{ keys: PresentedApiKey[] }> {
  const now = new Date();
  const since = new Date(now.getTime() - SHOWN_AFTER_END_MS);
  const [rows, connection] = await Promise.all([
    db().apiKey.findMany({
      where: { userId: options.userId, agentId: options.agentId, OR: [{ revokedAt: null, expiresAt: { gt: since } }, { revokedAt: { gt: since } }] },
      orderBy: { createdAt: 'desc' },
      take: 50,
    }),
    agentConnection(db(), options),
  ]);
  // Live keys first (newest first), then those that ended.
  const ended = (k: (typeof rows)[number]) => (k.revokedAt || k.expiresAt <= now ? 1 : 0);
  rows.sort((a, b) => ended(a) - ended(b));
  return {
    keys: rows.map((k) => ({
      id: k.id,
      name: k.name,
      hint: k.hint,
      scopes: k.scopes,
      ipRanges: k.ipRanges,
      createdAt: k.createdAt.toISOString(),
      expiresAt: k.expiresAt.toISOString(),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      lastUsedIp: k.lastUsedIp,
      revokedAt: k.revokedAt?.toISOString() ?? null,
      revokedReason: k.revokedReason,
      status: k.revokedAt ? 'revoked' : k.expiresAt <= now ? 'expired' : connection.state === 'active' ? 'active' : 'blocked',
    })),
  };
}
