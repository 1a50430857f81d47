// Ends a browser session on the server (sign-out), so its cookie is worthless even if copied.
import 'server-only';
import { db } from '@/lib/db/client';

export async function revokeSession(options: { id: string }): Promise<void> {
  await db().userSession.updateMany({
    where: { id: options.id, revokedAt: null },
    data: { revokedAt: new Date() },
  });
}
