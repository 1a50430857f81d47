import { describe, expect, it } from 'vitest';
import { dayRange, emptySeries, sumDailyActivity } from './daily-series';

describe('dayRange', () => {
  it('names the last days up to today (UTC), oldest first', () => {
    expect(dayRange({ days: 3, now: new Date('2026-03-01T23:59:00Z') })).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
  });
});

describe('sumDailyActivity', () => {
  const days = ['2026-03-01', '2026-03-02', '2026-03-03'];
  const busy = [
    { day: '2026-03-01', calls: 2, denials: 0 },
    { day: '2026-03-02', calls: 0, denials: 0 },
    { day: '2026-03-03', calls: 5, denials: 3 },
  ];

  // Issue 18: the overview read "0 calls, 0 refused" when the newest agent had no counted calls,
  // because its (empty) series gave the chart its days.
  it('counts every agent when the newest one has no calls (an empty series first)', () => {
    const total = sumDailyActivity([[], busy]);
    expect(total).toEqual(busy);
    expect(total.reduce((n, d) => n + d.calls, 0)).toBe(7);
  });

  it('adds zero-filled series day by day', () => {
    const quiet = emptySeries(days);
    const other = [
      { day: '2026-03-01', calls: 1, denials: 1 },
      { day: '2026-03-02', calls: 4, denials: 0 },
      { day: '2026-03-03', calls: 0, denials: 0 },
    ];
    expect(sumDailyActivity([quiet, busy, other])).toEqual([
      { day: '2026-03-01', calls: 3, denials: 1 },
      { day: '2026-03-02', calls: 4, denials: 0 },
      { day: '2026-03-03', calls: 5, denials: 3 },
    ]);
  });

  it('matches days, not positions, when a series is shorter', () => {
    expect(sumDailyActivity([busy, [{ day: '2026-03-03', calls: 1, denials: 1 }]]).at(-1)).toEqual({ day: '2026-03-03', calls: 6, denials: 4 });
  });
});
