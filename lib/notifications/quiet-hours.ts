// Quiet hours, in the user's own time zone: "22:00 to 07:00" spans midnight. Pure.

/** The wall-clock minute of the day (0..1439) at `now` in `timeZone` (an IANA name). */
export function minuteOfDay(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const value = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return value('hour') * 60 + value('minute');
}

const toMinutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/** Whether `now` falls within [start, end) in `timeZone`; a window whose end is before its start spans midnight. */
export function inQuietHours(now: Date, timeZone: string, quiet: { start: string; end: string } | null): boolean {
  if (!quiet) return false;
  const minute = minuteOfDay(now, timeZone);
  const start = toMinutes(quiet.start);
  const end = toMinutes(quiet.end);
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}
