// Elevation requests waiting for this user's decision, newest first.
import 'server-only';
import { db } from '@/lib/db/client';

export async function listPendingApprovals(options: { userId: string }) {
  return db().approvalRequest.findMany({
    where: { userId: options.userId, status: 'PENDING', expiresAt: { gt: new Date() } },
    select: {
      id: true,
      scopes: true,
      bindingMessage: true,
      createdAt: true,
      expiresAt: true,
      agent: { select: { name: true } },
    },
    orderBy: { createdAt: 'desc' },
    take: 100,
  });
}
