// Calls and refusals per day as the charts draw them. Every series spans the same days, zeros
// included, so the series of several agents add up day by day (the Agents overview). Pure: the
// server builds the series, the Agents screen adds them up.
export type DailyActivity = { day: string; calls: number; denials: number };

const DAY_MS = 86_400_000;

/** The last `days` days (UTC) up to `now`, oldest first, as YYYY-MM-DD. */
export function dayRange(options: { days: number; now: Date }): string[] {
  const today = Math.floor(options.now.getTime() / DAY_MS) * DAY_MS;
  return Array.from({ length: options.days }, (_, i) => new Date(today - (options.days - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

/** A series over `days` with nothing counted. */
export function emptySeries(days: string[]): DailyActivity[] {
  return days.map((day) => ({ day, calls: 0, denials: 0 }));
}

/**
 * Several series added per day (matched by day, not by position), over every day any of them
 * names, oldest first: a series without calls, or one cut short, adds nothing and hides nothing.
 */
export function sumDailyActivity(series: DailyActivity[][]): DailyActivity[] {
  const byDay = new Map<string, DailyActivity>();
  for (const entry of series.flat()) {
    const sum = byDay.get(entry.day) ?? { day: entry.day, calls: 0, denials: 0 };
    byDay.set(entry.day, { day: entry.day, calls: sum.calls + entry.calls, denials: sum.denials + entry.denials });
  }
  return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
}
