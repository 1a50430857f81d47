// The user's alerts as the dashboard shows them: the open ones (Agents screen, navigation badge)
// and the Alerts page's list, open or acknowledged.
import 'server-only';
import { db } from '@/lib/db/client';

export async function listOpenAlerts(options: { userId: string }) {
  const alerts = await db().alert.findMany({
    where: { userId: options.userId, acknowledgedAt: null },
    select: { id: true, kind: true, severity: true, message: true, createdAt: true, agentId: true },
    orderBy: { createdAt: 'desc' },
    take: 20,
  });
  return alerts.map((a) => ({ ...a, createdAt: a.createdAt.toISOString() }));
}

export type AlertItem = {
  id: string;
  kind: string;
  severity: 'INFO' | 'WARNING' | 'CRITICAL';
  message: string;
  createdAt: string;
  acknowledgedAt: string | null;
  agentId: string | null;
  agentName: string | null;
  agentClientId: string | null;
  agentVerifiedDomain: string | null;
  autoSuspended: boolean;
  delivery: string | null;
};

export async function listAlerts(options: { userId: string; status: 'open' | 'acknowledged' }): Promise<{ alerts: AlertItem[]; open: number }> {
  const [rows, open] = await Promise.all([
    db().alert.findMany({
      where: { userId: options.userId, acknowledgedAt: options.status === 'open' ? null : { not: null } },
      select: {
        id: true,
        kind: true,
        severity: true,
        message: true,
        createdAt: true,
        acknowledgedAt: true,
        agentId: true,
        autoSuspended: true,
        delivery: true,
        agent: { select: { name: true, clientId: true, verifiedDomain: true } },
      },
      orderBy: { createdAt: 'desc' },
      take: 100,
    }),
    db().alert.count({ where: { userId: options.userId, acknowledgedAt: null } }),
  ]);
  return {
    open,
    alerts: rows.map(({ agent, ...a }) => ({
      ...a,
      agentName: agent?.name ?? null,
      agentClientId: agent?.clientId ?? null,
      agentVerifiedDomain: agent?.verifiedDomain ?? null,
      createdAt: a.createdAt.toISOString(),
      acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null,
    })),
  };
}
