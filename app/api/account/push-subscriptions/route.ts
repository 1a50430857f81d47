// POST /api/account/push-subscriptions: this browser's Web Push subscription (W3C Push API).
import { handleAddPushSubscription } from '@/lib/endpoints/account/notifications';

export const dynamic = 'force-dynamic';

export const POST = handleAddPushSubscription;
