// The one writer of `api_keys.revoked_at`: every path that ends keys names them with a selector, and
// the tokens exchanged for them are revoked in the same transaction (lib/tokens/revoke-tokens.ts
// `{ apiKey }`). The keys are marked first, so an exchange that holds the key's row (FOR SHARE,
// lib/oauth/exchange-api-key.ts) finishes before this goes on, and its token is then found and
// revoked too.
// - { id }               one key (the person revoked it, it was rotated, or it was found in public);
// - { user, agent? }     a person's keys for one agent (they revoked its access) or for every agent
//                        (they revoked everything, or deleted their account).
import 'server-only';
import type { Prisma } from '@/lib/generated/prisma/client';
import { revokeTokens } from '@/lib/tokens/revoke-tokens';

export type ApiKeySelector = { id: string; user?: string } | { user: string; agent?: string };

/** Revokes the live keys the selector names and every token exchanged for them; returns how many of each. */
export async function revokeApiKeys(tx: Prisma.TransactionClient, select: ApiKeySelector, reason: string): Promise<{ keys: number; tokens: number }> {
  const where: Prisma.ApiKeyWhereInput =
    'id' in select ? { id: select.id, ...(select.user ? { userId: select.user } : {}) } : { userId: select.user, ...(select.agent ? { agentId: select.agent } : {}) };
  const live = await tx.apiKey.findMany({ where: { ...where, revokedAt: null }, select: { id: true } });
  if (!live.length) return { keys: 0, tokens: 0 };
  const ids = live.map((k) => k.id);
  await tx.apiKey.updateMany({ where: { id: { in: ids }, revokedAt: null }, data: { revokedAt: new Date(), revokedReason: reason } });
  const tokens = await revokeTokens(
    tx,
    ids.map((apiKey) => ({ apiKey })),
    reason,
  );
  return { keys: ids.length, tokens };
}
