// "Sign out everywhere else": ends every session of the user but the one making the request.
import 'server-only';
import { db } from '@/lib/db/client';

export async function revokeOtherSessions(options: { userId: string; keepSessionId: string }): Promise<number> {
  const { count } = await db().userSession.updateMany({
    where: { userId: options.userId, id: { not: options.keepSessionId }, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count;
}
