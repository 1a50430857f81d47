// Keeps notification_settings.digest_due_at (when the digest clock looks at a person next) true to
// their settings, on the database's clock (the one every instance and the digest clock share):
// - saving the notification settings with the digest on: the days whose time has already come
//   count as done, so turning it on (or moving its hour earlier) never sends one at once; the first
//   comes at the next hour chosen (the "Send today's digest now" button shows one at any time);
// - with the digest off: no due time, the clock never reads the row;
// - a new time zone: due now, so the clock works out the right time on the new wall clock.
import 'server-only';
import type { Prisma } from '@/lib/generated/prisma/client';
import { latestDigestDay, nextDigestTime, type DigestSchedule } from '@/lib/notifications/digest-schedule';
import type { NotificationPreferences } from '@/lib/notifications/notification-settings';

/** The database's clock, to the millisecond. */
export async function databaseNow(tx: Pick<Prisma.TransactionClient, '$queryRaw'>): Promise<Date> {
  const rows = await tx.$queryRaw<{ now: Date }[]>`SELECT now() AS now`;
  return rows[0]!.now;
}

export function digestSchedule(preferences: NotificationPreferences, timeZone: string): DigestSchedule {
  return { timeZone, hour: preferences.digest.hour, quietHours: preferences.quietHours };
}

/** After the settings were saved (in the same transaction). */
export async function scheduleDigest(tx: Prisma.TransactionClient, options: { userId: string; timeZone: string; preferences: NotificationPreferences }): Promise<void> {
  if (!options.preferences.digest.enabled) {
    await tx.$executeRaw`UPDATE notification_settings SET digest_due_at = NULL WHERE user_id = ${options.userId}::uuid`;
    return;
  }
  const now = await databaseNow(tx);
  const schedule = digestSchedule(options.preferences, options.timeZone);
  const rows = await tx.$queryRaw<{ sent_for: string | null }[]>`SELECT digest_sent_for::text AS sent_for FROM notification_settings WHERE user_id = ${options.userId}::uuid FOR UPDATE`;
  const latest = latestDigestDay(now, schedule);
  const sentFor = rows[0]?.sent_for && rows[0].sent_for > latest ? rows[0].sent_for : latest;
  await tx.$executeRaw`UPDATE notification_settings SET digest_sent_for = ${sentFor}::date, digest_due_at = ${nextDigestTime(now, schedule, sentFor)} WHERE user_id = ${options.userId}::uuid`;
}

/** After the user's time zone changed (in the same transaction). */
export async function rescheduleDigestForTimeZone(tx: Prisma.TransactionClient, userId: string): Promise<void> {
  await tx.$executeRaw`UPDATE notification_settings SET digest_due_at = now() WHERE user_id = ${userId}::uuid AND digest_due_at IS NOT NULL`;
}
