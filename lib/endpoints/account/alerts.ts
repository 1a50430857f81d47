// The user's alerts: the open ones (Agents screen, navigation badge), the Alerts page's list, and
// acknowledging one. GET /api/account/alerts?status=open|acknowledged;
// POST /api/account/alerts/{id}/acknowledge: only the user's own alert; anything else is 404.
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { getCurrentUser } from '@/lib/auth/session';
import { ApiError, apiErrorResponse } from '@/lib/http/api-error';
import { listAlerts } from '@/lib/alerts/list-alerts';

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
