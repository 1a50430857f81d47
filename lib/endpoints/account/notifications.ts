// The user's notifications (issue 17; Settings → Notifications):
// - GET  /api/account/notifications                   preferences, push subscriptions, the VAPID key
// - PUT  /api/account/notifications                   {email, push, webhook, quietHours, reminderMinutes, digest} (audited)
// - POST /api/account/notifications/test              {channel}: one test message now (recorded, audited)
// - POST /api/account/notifications/digest            the digest of the last 24 hours, by email, now (recorded, audited)
// - POST /api/account/push-subscriptions              what PushManager.subscribe() answered (audited)
// - DELETE /api/account/push-subscriptions/{id}       stop notifying that device (audited)
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { describeUserAgent } from '@/lib/auth/describe-user-agent';
import { ApiError } from '@/lib/http/api-error';
import { sessionRoute } from '@/lib/endpoints/session-route';
import { CHANNELS, getNotificationPreferences, preferencesSchema } from '@/lib/notifications/notification-settings';
import { addPushSubscription, listPushSubscriptions, removePushSubscription, subscriptionSchema } from '@/lib/notifications/manage-push-subscriptions';
import { sendTestNotification } from '@/lib/notifications/send-test-notification';
import { scheduleDigest, databaseNow } from '@/lib/notifications/schedule-digest';
import { sendDigest } from '@/lib/notifications/send-digest';
import { vapidPublicKey } from '@/lib/notifications/send-push';

const signIn = 'Sign in to change your notifications.';

function fieldErrors(error: z.ZodError) {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) (errors[issue.path.join('.') || 'form'] ??= []).push(issue.message);
  return errors;
}

export async function notificationSettingsOf(userId: string) {
  return { preferences: await getNotificationPreferences(userId), subscriptions: await listPushSubscriptions(userId), vapidPublicKey: vapidPublicKey() };
}

export const handleGetNotifications = sessionRoute({ signIn }, ({ user }) => notificationSettingsOf(user.id));

export const handleUpdateNotifications = sessionRoute(
  { signIn, body: preferencesSchema.strict(), invalid: (error) => new ApiError(400, 'invalid_request', 'Some notification settings are not valid.', fieldErrors(error)) },
  async ({ user, body, ip }) => {
    await db().$transaction(async (tx) => {
      await tx.notificationSettings.upsert({ where: { userId: user.id }, create: { userId: user.id, preferences: body }, update: { preferences: body } });
      await appendAuditEvent(tx, {
        action: 'account.notification_settings',
        decision: 'ALLOW',
        reason: `notification settings saved${body.quietHours ? `; quiet from ${body.quietHours.start} to ${body.quietHours.end}` : ''}; ${body.reminderMinutes ? `reminder ${body.reminderMinutes} min before expiry` : 'no reminder'}; ${body.digest.enabled ? `daily digest at ${String(body.digest.hour).padStart(2, '0')}:00` : 'no daily digest'}`,
        userId: user.id,
        ip,
        details: { email: body.email, push: body.push, webhook: body.webhook, quietHours: body.quietHours, reminderMinutes: body.reminderMinutes, digest: body.digest },
      });
      await scheduleDigest(tx, { userId: user.id, timeZone: user.timeZone, preferences: body });
    });
    return notificationSettingsOf(user.id);
  },
);

export const handleTestNotification = sessionRoute(
  { signIn, body: z.object({ channel: z.enum(CHANNELS) }).strict(), invalid: 'Send {"channel": "email" | "push" | "webhook"}.' },
  async ({ user, body }) => {
    const sent = await sendTestNotification(user.id, body.channel);
    if (!sent.length) {
      const missing = body.channel === 'push' ? 'No browser or phone is subscribed yet.' : 'No webhook is set (Settings → Alerts).';
      throw new ApiError(409, 'conflict', missing);
    }
    return { deliveries: sent };
  },
);

// The "Send today's digest now" button: the same message the daily digest would be, for the 24
// hours up to now, whatever the setting, its hour and quiet hours say; the schedule is untouched.
export const handleSendDigest = sessionRoute({ signIn }, async ({ user }) => {
  const sent = await sendDigest({ userId: user.id, now: await databaseNow(db()) });
  if (!sent) throw new ApiError(409, 'conflict', 'Your agents did nothing in the last 24 hours: there is no digest to send (on such days none is sent).');
  return { deliveries: sent };
});

export const handleAddPushSubscription = sessionRoute(
  { signIn, body: subscriptionSchema, invalid: (error) => new ApiError(400, 'invalid_request', 'This is not a push subscription Leash can use.', fieldErrors(error)) },
  async ({ user, body, ip, request }) => {
    const row = await addPushSubscription({ userId: user.id, subscription: body, device: describeUserAgent(request.headers.get('user-agent')), ip });
    return { id: row.id, subscriptions: await listPushSubscriptions(user.id) };
  },
);

export const handleRemovePushSubscription = sessionRoute({ signIn, id: 'No such device.' }, async ({ user, id, ip }) => {
  if (!(await removePushSubscription({ userId: user.id, id, ip }))) throw new ApiError(404, 'not_found', 'No such device.');
  return { subscriptions: await listPushSubscriptions(user.id) };
});
