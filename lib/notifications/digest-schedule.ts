// When a person's daily digest is due, in their own time zone. Pure (the clock is passed in), so
// the rules are tested at any instant: DST days, quiet hours across midnight.
// - The digest of local day D is scheduled at D, `hour`:00 on the person's wall clock.
// - If that falls within quiet hours, it waits for their end (the first end of quiet hours after
//   it), which may be on D + 1: a digest at 23:00 with quiet hours 22:00-07:00 goes at 07:00.
// - Due means: the latest day whose time has come (today, else an earlier one still waiting for
//   quiet hours to end) and has not been claimed yet (`sentFor`), and it is not quiet right now
//   (a server that was down at the hour catches up, but not in the middle of the night).
// Days older than that are not caught up: one digest, for the latest day.
import { inQuietHours } from '@/lib/notifications/quiet-hours';

export type DigestSchedule = { timeZone: string; hour: number; quietHours: { start: string; end: string } | null };

const DAY_MS = 86_400_000;

/** The calendar day (YYYY-MM-DD) at `now` in `timeZone`. */
export function localDate(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** `date` moved by `days` calendar days. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** How far `timeZone`'s wall clock is ahead of UTC at `at`, in ms. */
function offsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The instant the wall clock of `timeZone` shows `date` at `minute` (minutes after midnight). A
 * time skipped by a DST change (02:30 on a spring-forward night) is read with the offset before
 * the change, so it lands just after the gap (03:30); a time shown twice (autumn) is the first.
 */
export function zonedInstant(date: string, minute: number, timeZone: string): Date {
  const wall = Date.parse(`${date}T00:00:00Z`) + minute * 60_000;
  // The offset half a day earlier, then the offset at that guess: equal, the guess is right; else
  // a change lies in between, and the later offset is right unless the time is in the gap.
  const before = offsetMs(new Date(wall - DAY_MS / 2), timeZone);
  const guess = wall - before;
  const after = offsetMs(new Date(guess), timeZone);
  if (after === before) return new Date(guess);
  return offsetMs(new Date(wall - after), timeZone) === after ? new Date(wall - after) : new Date(guess);
}

const toMinutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/** When the digest of local day `date` goes: at the hour, or at the end of the quiet hours it falls in. */
export function digestSendTime(date: string, schedule: DigestSchedule): Date {
  const at = zonedInstant(date, schedule.hour * 60, schedule.timeZone);
  if (!schedule.quietHours || !inQuietHours(at, schedule.timeZone, schedule.quietHours)) return at;
  const end = toMinutes(schedule.quietHours.end);
  const sameDay = zonedInstant(date, end, schedule.timeZone);
  return sameDay > at ? sameDay : zonedInstant(addDays(date, 1), end, schedule.timeZone);
}

/** The latest local day whose digest time has come by `now` (today, yesterday, or the day before). */
export function latestDigestDay(now: Date, schedule: DigestSchedule): string {
  const today = localDate(now, schedule.timeZone);
  for (const back of [0, 1]) {
    const day = addDays(today, -back);
    if (digestSendTime(day, schedule) <= now) return day;
  }
  return addDays(today, -2);
}

/** The day whose digest is due at `now`, or null: not yet, already claimed (`sentFor`), or quiet now. */
export function dueDigestDay(now: Date, schedule: DigestSchedule, sentFor: string | null): string | null {
  if (schedule.quietHours && inQuietHours(now, schedule.timeZone, schedule.quietHours)) return null;
  const day = latestDigestDay(now, schedule);
  return sentFor !== null && sentFor >= day ? null : day;
}

/**
 * When to look again after `now`, the days up to `sentFor` being done: the end of the quiet hours
 * if a digest is waiting for them, else the next digest's time. The digest clock stores it
 * (notification_settings.digest_due_at), so a sweep reads only the rows whose time has come.
 */
export function nextDigestTime(now: Date, schedule: DigestSchedule, sentFor: string | null): Date {
  const today = localDate(now, schedule.timeZone);
  const waiting = sentFor === null || latestDigestDay(now, schedule) > sentFor;
  if (waiting && !(schedule.quietHours && inQuietHours(now, schedule.timeZone, schedule.quietHours))) return now;
  if (waiting && schedule.quietHours) {
    const end = zonedInstant(today, toMinutes(schedule.quietHours.end), schedule.timeZone);
    return end > now ? end : zonedInstant(addDays(today, 1), toMinutes(schedule.quietHours.end), schedule.timeZone);
  }
  const times = [-1, 0, 1, 2]
    .map((days) => addDays(today, days))
    .filter((day) => sentFor === null || day > sentFor)
    .map((day) => digestSendTime(day, schedule))
    .filter((at) => at > now);
  return times.length ? new Date(Math.min(...times.map((t) => t.getTime()))) : new Date(now.getTime() + DAY_MS);
}
