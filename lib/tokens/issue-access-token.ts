// Issues an opaque access token and writes its audit record in the same transaction (STYLE
// habit 6): if either fails, neither happens. Only the token's hash is stored.
import 'server-only';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { hashToken, mintToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';

/** Default access token lifetime: 10 minutes (short-lived, PRODUCT.md capability 1). */
export const ACCESS_TOKEN_TTL_SECONDS = 600;

export async function issueAccessToken(options: {
  agentId: string;
  userId?: string | null;
  grantId?: string | null;
  scopes: string[];
  audience: string[];
  grantType: string;
  ip: string;
  ttlSeconds?: number;
}): Promise<{ token: string; id: string; expiresIn: number }> {
  const ttl = options.ttlSeconds ?? ACCESS_TOKEN_TTL_SECONDS;
  const token = mintToken(TOKEN_PREFIX.accessToken);
  const id = await db().$transaction(async (tx) => {
    const row = await tx.token.create({
      data: {
        kind: 'ACCESS',
        tokenHash: hashToken(token),
        prefix: TOKEN_PREFIX.accessToken,
        agentId: options.agentId,
        userId: options.userId ?? null,
        grantId: options.grantId ?? null,
        scopes: options.scopes,
        audience: options.audience,
        expiresAt: new Date(Date.now() + ttl * 1000),
      },
      select: { id: true },
    });
    await appendAuditEvent(tx, {
      action: 'token.issue',
      decision: 'ALLOW',
      agentId: options.agentId,
      userId: options.userId ?? null,
      tokenId: row.id,
      scopes: options.scopes,
      resource: options.audience.join(' '),
      ip: options.ip,
      reason: `access token issued (${options.grantType})`,
      details: { grant_type: options.grantType, expires_in: ttl },
    });
    return row.id;
  });
  return { token, id, expiresIn: ttl };
}
