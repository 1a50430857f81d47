// The newest audit records of a user's agents (the full browser with filters and keyset paging
// comes with the audit capability). Admins see every record.
import 'server-only';
import { db } from '@/lib/db/client';

export async function listRecentAuditEvents(options: { userId: string; role: 'USER' | 'ADMIN'; limit?: number }) {
  const events = await db().auditEvent.findMany({
    where: options.role === 'ADMIN' ? {} : { userId: options.userId },
    select: { id: true, createdAt: true, action: true, decision: true, reason: true, resource: true, agentId: true },
    orderBy: { id: 'desc' },
    take: Math.min(options.limit ?? 50, 200),
  });
  // The log has no foreign keys (it outlives what it names): agent names are looked up alongside.
  const ids = [...new Set(events.map((e) => e.agentId).filter((id): id is string => id !== null))];
  const agents = new Map(
    (await db().agent.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((a) => [a.id, a.name]),
  );
  return events.map((e) => ({ ...e, agentName: e.agentId ? (agents.get(e.agentId) ?? 'Deleted agent') : null }));
}
