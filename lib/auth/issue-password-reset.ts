// An administrator's answer to "I forgot my password" until Leash can send mail: a one-time link
// for one user, handed over by the administrator (in person, by phone, in chat). The secret in the
// link is an opaque token with its own prefix (secret scanners recognise a leaked one) and only its
// SHA-256 is stored (STYLE habit 7). It works once (lib/auth/reset-password.ts) and for
// PASSWORD_RESET_TTL_MINUTES; making a new link for the same user voids the older ones. Audited,
// naming the administrator.
//
// The secret travels in the link's fragment (`/reset-password#lsh_pr_…`): browsers never send a
// fragment to the server, so it stays out of access logs and proxies; the page posts it itself.
import 'server-only';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { hashToken, mintToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';

/** How long a reset link works. Short: it is a password in all but name while it lives. */
export const PASSWORD_RESET_TTL_MINUTES = 60;

export type IssuedPasswordReset = { url: string; expiresAt: Date; email: string };

export async function issuePasswordReset(options: { email: string; admin: { id: string }; ip: string }): Promise<IssuedPasswordReset | null> {
  const user = await db().user.findFirst({ where: { email: options.email, status: { not: 'DELETED' } }, select: { id: true, email: true } });
  if (!user) return null;
  const token = mintToken(TOKEN_PREFIX.passwordReset);
  const expiresAt = new Date(Date.now() + PASSWORD_RESET_TTL_MINUTES * 60_000);
  await db().$transaction(async (tx) => {
    const voided = await tx.passwordReset.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: new Date() } });
    await tx.passwordReset.create({ data: { userId: user.id, tokenHash: hashToken(token), createdById: options.admin.id, expiresAt } });
    await appendAuditEvent(tx, {
      action: 'account.password_reset_issue',
      decision: 'ALLOW',
      reason: `an administrator made a one-time password reset link (valid ${PASSWORD_RESET_TTL_MINUTES} minutes)`,
      userId: user.id,
      ip: options.ip,
      details: { administrator: options.admin.id, expiresAt: expiresAt.toISOString(), voidedEarlierLinks: voided.count },
    });
  });
  return { url: `${getConfig().issuer}/reset-password#${token}`, expiresAt, email: user.email };
}
