// The user's alerts: the open ones (Agents screen, navigation badge), the Alerts page's list, and
// acknowledging one. GET /api/account/alerts?status=open|acknowledged;
// POST /api/account/alerts/{id}/acknowledge: only the user's own alert; anything else is 404.
import 'server-only';
import { db } from '@/lib/db/client';
import { ApiError } from '@/lib/http/api-error';
import { sessionRoute } from '@/lib/endpoints/session-route';
import { listAlerts } from '@/lib/alerts/list-alerts';

const signIn = 'Sign in first.';

export const handleListAlerts = sessionRoute({ signIn }, ({ request, user }) => {
  const status = new URL(request.url).searchParams.get('status') === 'acknowledged' ? 'acknowledged' : 'open';
  return listAlerts({ userId: user.id, status });
});

/** Only the user's own open alert; anything else (another's, a malformed id) is 404. */
export const handleAcknowledgeAlert = sessionRoute({ signIn, id: 'No such open alert.' }, async ({ user, id }) => {
  const done = await db().alert.updateMany({ where: { id, userId: user.id, acknowledgedAt: null }, data: { acknowledgedAt: new Date() } });
  if (!done.count) throw new ApiError(404, 'not_found', 'No such open alert.');
  return { acknowledged: true };
});
