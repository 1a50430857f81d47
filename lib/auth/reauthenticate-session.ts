// Re-authentication of a signed-in session (OpenID Connect Core §3.1.2.1 prompt=login / max_age):
// after the password is confirmed again, the session's auth_time is now; the tokens carry it.
import 'server-only';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';

/** A fresh proof of the password: the session's auth_time moves to now (prompt=login, max_age). */
export async function reauthenticateSession(options: { userId: string; sessionId: string; ip: string }) {
  await db().$transaction(async (tx) => {
    await tx.userSession.update({ where: { id: options.sessionId, userId: options.userId }, data: { authTime: new Date() } });
    await appendAuditEvent(tx, { action: 'session.reauthenticate', decision: 'ALLOW', reason: 'password confirmed again', userId: options.userId, ip: options.ip });
  });
}
