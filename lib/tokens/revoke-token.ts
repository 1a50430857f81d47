// Revokes one token on its client's request (RFC 7009), with its audit record in the same
// transaction. A refresh token takes its whole family and the access tokens of its grant along.
import 'server-only';
import { db } from '@/lib/db/client';
import { forgettingAfter } from '@/lib/cache/hot-cache';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import type { FoundToken } from '@/lib/tokens/find-token';

export async function revokeToken(options: { token: FoundToken; reason: string; ip: string }): Promise<number> {
  const { token } = options;
  return forgettingAfter(db().$transaction(async (tx) => {
    const now = new Date();
    const where =
      token.kind === 'REFRESH' && (token.familyId || token.grantId)
        ? {
            revokedAt: null,
            OR: [
              { id: token.id },
              ...(token.familyId ? [{ familyId: token.familyId }] : []),
              ...(token.grantId ? [{ grantId: token.grantId, kind: 'ACCESS' as const }] : []),
            ],
          }
        : { id: token.id, revokedAt: null };
    const { count } = await tx.token.updateMany({ where, data: { revokedAt: now, revokedReason: options.reason } });
    if (count > 0) {
      await appendAuditEvent(tx, {
        action: 'token.revoke',
        decision: 'ALLOW',
        agentId: token.agentId,
        userId: token.userId,
        tokenId: token.id,
        scopes: token.scopes,
        ip: options.ip,
        reason: options.reason,
        details: { kind: token.kind, revoked: count },
      });
    }
    return count;
  }));
}
