// A user's notification preferences (issue 17; Settings → Notifications): which events go to which
// channel (email to the account's address, Web Push to every subscribed browser or phone, the
// webhook of the alert settings), quiet hours in the user's time zone, and when to be reminded of
// a request about to expire, and the optional daily digest by email (lib/notifications/digest-clock.ts).
// Stored as one JSON row per user (notification_settings), validated
// with zod both ways; a user who never saved gets the defaults.
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';

/** What can be sent: an approval asked, an approval about to expire, alerts by severity. */
export const NOTIFICATION_EVENTS = ['approval_requested', 'approval_expiring', 'alert_critical', 'alert_warning', 'alert_info'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];
export const CHANNELS = ['email', 'push', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

const events = z
  .array(z.enum(NOTIFICATION_EVENTS))
  .max(NOTIFICATION_EVENTS.length)
  .transform((list) => NOTIFICATION_EVENTS.filter((e) => list.includes(e)));
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use a time such as 22:00.');

export const preferencesSchema = z.object({
  /** Events sent to each channel (an empty list turns the channel off). */
  email: events,
  push: events,
  webhook: events,
  /** Email and push wait for nobody: during quiet hours they are not sent (recorded as skipped). The webhook is for machines and ignores them. */
  quietHours: z
    .object({ start: clock, end: clock })
    .refine((q) => q.start !== q.end, 'Start and end must differ.')
    .nullable(),
  /** Minutes before a pending request expires to remind (0: no reminder). A request lives 5 minutes. */
  reminderMinutes: z.number().int().min(0).max(4),
  /**
   * One email a day summing up what each agent did (off by default), at this whole hour of the
   * user's time zone, or at the end of quiet hours when the hour falls within them. Rows saved
   * before the digest existed have none: read as off.
   */
  digest: z
    .object({ enabled: z.boolean(), hour: z.number().int().min(0).max(23) })
    .strict()
    .default({ enabled: false, hour: 8 }),
});
export type NotificationPreferences = z.infer<typeof preferencesSchema>;

export const DEFAULT_PREFERENCES: NotificationPreferences = {
  email: ['approval_requested', 'alert_critical'],
  push: ['approval_requested', 'approval_expiring', 'alert_critical', 'alert_warning'],
  webhook: ['alert_critical', 'alert_warning', 'alert_info'],
  quietHours: null,
  reminderMinutes: 2,
  digest: { enabled: false, hour: 8 },
};

export async function getNotificationPreferences(userId: string): Promise<NotificationPreferences> {
  const row = await db().notificationSettings.findUnique({ where: { userId }, select: { preferences: true } });
  const stored = preferencesSchema.safeParse(row?.preferences);
  return stored.success ? stored.data : DEFAULT_PREFERENCES;
}
