// The user's alerts: the open ones (Agents screen, navigation badge), the Alerts page's list, and
// acknowledging one. GET /api/account/alerts?status=open|acknowledged;
// POST /api/account/alerts/{id}/acknowledge: only the user's own alert; anything else is 404.
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { getCurrentUser } from '@/lib/auth/session';
import { ApiError, apiErrorResponse } from '@/lib/http/api-error';

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
      select: { id: true, kind: true, severity: true, message: true, createdAt: true, acknowledgedAt: true, agentId: true, autoSuspended: true, delivery: true, agent: { select: { name: true, clientId: true, verifiedDomain: true } } },
      orderBy: { createdAt: 'desc' },
      take: 100,
    }),
    db().alert.count({ where: { userId: options.userId, acknowledgedAt: null } }),
  ]);
  return {
    open,
    alerts: rows.map(({ agent, ...a }) => ({ ...a, agentName: agent?.name ?? null, agentClientId: agent?.clientId ?? null, agentVerifiedDomain: agent?.verifiedDomain ?? null, createdAt: a.createdAt.toISOString(), acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null })),
  };
}

export async function handleListAlerts(request: Request): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in first.');
    const status = new URL(request.url).searchParams.get('status') === 'acknowledged' ? 'acknowledged' : 'open';
    return Response.json(await listAlerts({ userId: user.id, status }), { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return apiErrorResponse(error);
  }
}

export async function handleAcknowledgeAlert(_request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in first.');
    const { id } = await context.params;
    const done = z.uuid().safeParse(id).success
      ? await db().alert.updateMany({ where: { id, userId: user.id, acknowledgedAt: null }, data: { acknowledgedAt: new Date() } })
      : { count: 0 };
    if (!done.count) throw new ApiError(404, 'not_found', 'No such open alert.');
    return Response.json({ acknowledged: true }, { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return apiErrorResponse(error);
  }
}
