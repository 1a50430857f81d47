// The newest audit records of a user's agents (the full browser with filters and keyset paging
// comes with the audit capability). Admins see every record.
import 'server-only';
import { db } from '@/lib/db/client';

export async function listRecentAuditEvents(options: { userId: string; role: 'USER' | 'ADMIN'; limit?: number }) {
  return db().auditEvent.findMany({
    where: options.role === 'ADMIN' ? {} : { userId: options.userId },
    select: {
      id: true,
      createdAt: true,
      action: true,
      decision: true,
      reason: true,
      resource: true,
      agent: { select: { name: true } },
    },
    orderBy: { id: 'desc' },
    take: Math.min(options.limit ?? 50, 200),
  });
}
