// DELETE /api/account/push-subscriptions/{id}: stop sending push notifications to that device.
import { handleRemovePushSubscription } from '@/lib/endpoints/account/notifications';

export const dynamic = 'force-dynamic';

export const DELETE = handleRemovePushSubscription;
