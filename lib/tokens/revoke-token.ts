// Revokes one token on its client's request (RFC 7009), with its audit record in the same
// transaction. A refresh token takes its whole family and the access tokens of its grant along.
import 'server-only';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import type { FoundToken } from '@/lib/tokens/find-token';
import { revokeTokens, revoking, tokenWithFamily } from '@/lib/tokens/revoke-tokens';

export async function revokeToken(options: { token: FoundToken; reason: string; ip: string }): Promise<number> {
  const { token } = options;
  return revoking(async (tx) => {
    const count = await revokeTokens(tx, tokenWithFamily(token), options.reason);
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
  });
}
