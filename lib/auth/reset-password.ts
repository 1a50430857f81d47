// Spends a reset link: the new password (the sign-up rule) replaces the old one, and every session
// of the person ends, in one transaction with the audit record. The link is claimed by a
// compare-and-swap on "not used yet, not expired", so of two uses (a double click, or someone who
// copied the link) exactly one succeeds; a used or expired link changes nothing.
import 'server-only';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { hashPassword } from '@/lib/auth/password';
import { clearAccountFailures } from '@/lib/auth/sign-in-limits';
import { hashToken, isWellFormedToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';

export async function resetPassword(options: { token: string; newPassword: string; ip: string }): Promise<{ ok: true; email: string } | { ok: false }> {
  if (!isWellFormedToken(options.token, TOKEN_PREFIX.passwordReset)) return { ok: false };
  const passwordHash = await hashPassword(options.newPassword);
  const now = new Date();
  const email = await db().$transaction(async (tx) => {
    const reset = await tx.passwordReset.findUnique({ where: { tokenHash: hashToken(options.token) }, select: { id: true, userId: true, createdById: true } });
    if (!reset) return null;
    const claimed = await tx.passwordReset.updateMany({
      where: { id: reset.id, usedAt: null, expiresAt: { gt: now }, user: { status: { not: 'DELETED' } } },
      data: { usedAt: now },
    });
    if (claimed.count !== 1) return null;
    const user = await tx.user.update({ where: { id: reset.userId }, data: { passwordHash }, select: { email: true } });
    const ended = await tx.userSession.updateMany({ where: { userId: reset.userId, revokedAt: null }, data: { revokedAt: now } });
    await tx.passwordReset.updateMany({ where: { userId: reset.userId, usedAt: null }, data: { usedAt: now } });
    await appendAuditEvent(tx, {
      action: 'account.password_reset',
      decision: 'ALLOW',
      reason: `password set with a one-time reset link; ${ended.count} session${ended.count === 1 ? '' : 's'} signed out`,
      userId: reset.userId,
      ip: options.ip,
      details: { administrator: reset.createdById, endedSessions: ended.count },
    });
    return user.email;
  });
  if (email === null) return { ok: false };
  // A person locked out by failed sign-ins can use the password they were just given.
  await clearAccountFailures(email);
  return { ok: true, email };
}
