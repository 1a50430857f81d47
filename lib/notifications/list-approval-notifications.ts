// What was sent about one request (channel, where, when, outcome), oldest first, for its review
// page. The request's owner only: the user is in the query.
import 'server-only';
import { db } from '@/lib/db/client';

export async function listApprovalNotifications(options: { userId: string; approvalRequestId: string }) {
  const rows = await db().notificationDelivery.findMany({
    where: { approvalRequestId: options.approvalRequestId, userId: options.userId },
    orderBy: { createdAt: 'asc' },
    take: 50,
    select: { id: true, event: true, channel: true, target: true, outcome: true, detail: true, createdAt: true },
  });
  return rows.map((r) => ({ ...r, channel: r.channel.toLowerCase() as 'email' | 'push' | 'webhook', createdAt: r.createdAt.toISOString() }));
}

export type ApprovalNotification = Awaited<ReturnType<typeof listApprovalNotifications>>[number];
