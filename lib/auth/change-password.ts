// Changing a password while signed in: the current password first (checked exactly as a sign-in
// is, so wrong guesses count against the same per-account and per-address limits), then the new
// one, which must meet the sign-up rule. In one transaction with its audit record, every other
// session of the person ends (whoever else knew the old password is signed out) and reset links
// not yet used stop working. The session making the change stays signed in.
import 'server-only';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { appendAuditEventGrouped } from '@/lib/audit/audit-group-commit';
import { authenticatePassword } from '@/lib/auth/authenticate-password';
import { hashPassword, verifyPassword } from '@/lib/auth/password';

export type ChangePasswordResult = { ok: true; endedSessions: number } | { ok: false; reason: 'wrong_password' | 'same_password' } | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

export async function changePassword(options: { user: { id: string; email: string; sessionId: string }; currentPassword: string; newPassword: string; ip: string }): Promise<ChangePasswordResult> {
  const { user, ip } = options;
  const checked = await authenticatePassword({ email: user.email, password: options.currentPassword, ip });
  if (!checked.ok) {
    if (checked.reason === 'rate_limited') return { ok: false, reason: 'rate_limited', retryAfterSeconds: checked.retryAfterSeconds };
    await appendAuditEventGrouped({ action: 'account.password_change', decision: 'DENY', reason: 'the current password was not right', userId: user.id, ip });
    return { ok: false, reason: 'wrong_password' };
  }
  const stored = await db().user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } });
  if (await verifyPassword(stored.passwordHash, options.newPassword)) return { ok: false, reason: 'same_password' };

  const passwordHash = await hashPassword(options.newPassword);
  const endedSessions = await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    const { count } = await tx.userSession.updateMany({
      where: { userId: user.id, id: { not: user.sessionId }, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await tx.passwordReset.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: new Date() } });
    await appendAuditEvent(tx, {
      action: 'account.password_change',
      decision: 'ALLOW',
      reason: `password changed; ${count} other session${count === 1 ? '' : 's'} signed out`,
      userId: user.id,
      ip,
      details: { endedSessions: count },
    });
    return count;
  });
  return { ok: true, endedSessions };
}
