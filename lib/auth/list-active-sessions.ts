// A user's signed-in sessions that are still valid, newest first.
import 'server-only';
import { db } from '@/lib/db/client';

export async function listActiveSessions(options: { userId: string }) {
  return db().userSession.findMany({
    where: { userId: options.userId, revokedAt: null, expiresAt: { gt: new Date() } },
    select: { id: true, createdAt: true, expiresAt: true, ip: true, userAgent: true, acr: true },
    orderBy: { createdAt: 'desc' },
    take: 50,
  });
}
