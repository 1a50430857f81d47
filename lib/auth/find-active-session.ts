// The session a cookie names, if it is still valid: not revoked, not past its absolute end, and
// its user still active. Ownership and state are part of the query (STYLE habit 9).
import 'server-only';
import { db } from '@/lib/db/client';

export async function findActiveSession(options: { id: string; userId: string }) {
  if (!/^[0-9a-f-]{36}$/i.test(options.id)) return null;
  return db().userSession.findFirst({
    where: {
      id: options.id,
      userId: options.userId,
      revokedAt: null,
      expiresAt: { gt: new Date() },
      user: { status: 'ACTIVE' },
    },
    select: {
      acr: true,
      amr: true,
      authTime: true,
      user: { select: { id: true, email: true, name: true, role: true, timeZone: true, intentStorage: true, intentRetentionDays: true, createdAt: true } },
    },
  });
}
