// GET|PUT /api/account/notifications: the signed-in user's notification channels, routing, quiet hours, reminder.
import { handleGetNotifications, handleUpdateNotifications } from '@/lib/endpoints/account/notifications';

export const dynamic = 'force-dynamic';

export const GET = handleGetNotifications;
export const PUT = handleUpdateNotifications;
