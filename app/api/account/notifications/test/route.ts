// POST /api/account/notifications/test: one test message on a channel, now.
import { handleTestNotification } from '@/lib/endpoints/account/notifications';

export const dynamic = 'force-dynamic';

export const POST = handleTestNotification;
