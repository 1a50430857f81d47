// The daily digest (issue 17), sent in the background of every instance, as the approval clock
// (approval-clock.ts) sends reminders, on the database's clock:
// - notification_settings.digest_due_at says when to look at a person next (schedule-digest.ts
//   sets it when they save; null when the digest is off), so a sweep reads only the rows due;
// - a sweep takes the due rows with `FOR UPDATE SKIP LOCKED`, works out in the person's time zone
//   which day is due (digest-schedule.ts: the hour, or the end of quiet hours), and in the same
//   transaction records that day in `digest_sent_for` and the next time in `digest_due_at`. Two
//   instances never take the same row, and a taken row is not due again before the next day: one
//   digest per person per day. The claim commits before the mail goes (at most once: an instance
//   that dies in between loses that day's digest, as with reminders).
// One worker per process (lib/ops/periodic-task.ts), started by instrumentation.ts, stopped by the
// graceful shutdown.
import 'server-only';
import { db } from '@/lib/db/client';
import { log } from '@/lib/log/logger';
import { startPeriodicTask, stopPeriodicTask } from '@/lib/ops/periodic-task';
import { dueDigestDay, nextDigestTime } from '@/lib/notifications/digest-schedule';
import { preferencesSchema } from '@/lib/notifications/notification-settings';
import { databaseNow, digestSchedule } from '@/lib/notifications/schedule-digest';
import { sendDigest } from '@/lib/notifications/send-digest';

const SWEEP_MS = 5_000;
const BATCH = 20;

export const startDigestClock = () => startPeriodicTask('digest clock', SWEEP_MS, () => sendDueDigests(), 'notifications');

export const stopDigestClock = () => stopPeriodicTask('digest clock');

/** Claims the digests due at `now` (default: the database's clock), once each across instances, and sends them. Answers how many were claimed. */
export async function sendDueDigests(options: { now?: Date } = {}): Promise<number> {
  const now = options.now ?? (await databaseNow(db()));
  const claimed = await db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ user_id: string; time_zone: string; preferences: unknown; sent_for: string | null }[]>`
      SELECT s.user_id::text AS user_id, u.time_zone, s.preferences, s.digest_sent_for::text AS sent_for
        FROM notification_settings s JOIN users u ON u.id = s.user_id
       WHERE s.digest_due_at <= ${now}
       ORDER BY s.digest_due_at
       LIMIT ${BATCH}
       FOR UPDATE OF s SKIP LOCKED`;
    const due: { userId: string; day: string }[] = [];
    for (const row of rows) {
      const preferences = preferencesSchema.safeParse(row.preferences);
      let day: string | null = null;
      let next: Date | null = null;
      try {
        if (preferences.success && preferences.data.digest.enabled) {
          const schedule = digestSchedule(preferences.data, row.time_zone);
          day = dueDigestDay(now, schedule, row.sent_for);
          next = nextDigestTime(now, schedule, day ?? row.sent_for);
        }
      } catch (error) {
        // A time zone this runtime does not know: that person's digest stops, the others go on.
        log('notifications').error({ err: error, userId: row.user_id }, 'digest not scheduled');
      }
      await tx.$executeRaw`UPDATE notification_settings SET digest_sent_for = COALESCE(${day}::date, digest_sent_for), digest_due_at = ${next} WHERE user_id = ${row.user_id}::uuid`;
      if (day) due.push({ userId: row.user_id, day });
    }
    return due;
  });
  for (const { userId, day } of claimed) {
    await sendDigest({ userId, now, digestFor: day }).catch((error) => log('notifications').error({ err: error, userId }, 'digest failed'));
  }
  return claimed.length;
}
