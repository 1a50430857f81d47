// GET /api/account/alerts?status=open|acknowledged: the signed-in user's alerts, and the open count.
import { handleListAlerts } from '@/lib/endpoints/account/alerts';

export const dynamic = 'force-dynamic';

export const GET = handleListAlerts;
