// The user's open alerts (shown on the Agents screen), and acknowledging one.
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
