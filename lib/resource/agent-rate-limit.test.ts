// Rate limits across instances, on the real database: two limiters play two instances sharing the
// PostgreSQL leases; together they admit exactly the limit per window, never more, whatever the
// interleaving, and each asks the database about once per share rather than once per call.
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, dbPool } from '@/lib/db/client';
import { createRateLimiter } from './agent-rate-limit';

afterAll(closeDb);

const ids = () => ({ agentId: crypto.randomUUID(), userId: null });

describe('leased rate limits', () => {
  it('admit at most the per-minute limit across two instances, with concurrent calls on each', async () => {
    const a = createRateLimiter();
    const b = createRateLimiter();
    const who = ids();
    const limits = { ...who, perMinuteLimit: 60, perDayLimit: 1_000 };
    // A calendar minute boundary in the middle would open a new window: start just after one.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    const verdicts = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? a : b).checkAgentRate(limits)));
    const admitted = verdicts.filter((v) => v.ok).length;
    // Never past the limit; short of it by at most what each instance leased and had no call left
    // for (shares of 3: a twentieth of 60).
    expect(admitted).toBeLessThanOrEqual(60);
    expect(admitted).toBeGreaterThanOrEqual(60 - 2 * 2);
    const refused = verdicts.find((v) => !v.ok)!;
    expect(refused).toMatchObject({ ok: false, reason: 'rate limit of 60 calls per minute' });
    if (!refused.ok) expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    const { rows } = await dbPool().query("SELECT points FROM rate_limits WHERE key LIKE $1 AND key LIKE '%:60000:%'", [`lease:agent:${who.agentId}:%`]);
    expect(rows).toEqual([{ points: 60 }]);
  });

  it('hold a daily quota across instances, and keep counting each key apart', async () => {
    const a = createRateLimiter();
    const b = createRateLimiter();
    const first = { ...ids(), perMinuteLimit: 1_000, perDayLimit: 25 };
    const second = { ...ids(), perMinuteLimit: 1_000, perDayLimit: 25 };
    const results: boolean[] = [];
    for (let i = 0; i < 40; i++) results.push((await (i % 2 ? a : b).checkAgentRate(first)).ok);
    expect(results.filter(Boolean)).toHaveLength(25);
    expect(results.slice(0, 25).every(Boolean)).toBe(true);
    const refused = await a.checkAgentRate(first);
    expect(refused).toMatchObject({ ok: false, reason: 'daily quota of 25 calls' });
    expect((await b.checkAgentRate(second)).ok).toBe(true);
  });

  it('answer at once (no promise) while this instance holds a share of every window, counting as the waiting way does', async () => {
    const a = createRateLimiter();
    const limits = { agentId: crypto.randomUUID(), userId: crypto.randomUUID(), perMinuteLimit: 100, perDayLimit: 1_000 };
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    const remaining = (verdict: { headers: Record<string, string> }) => /remaining=(\d+)/.exec(verdict.headers.RateLimit!)![1];
    // The first call leases the agent's minute and day and the user's minute (shares of 5, 50 and 5).
    const first = a.checkAgentRate(limits);
    expect(first).toBeInstanceOf(Promise);
    expect(remaining(await first)).toBe('99');
    expect(a.leaseCount()).toBe(3);
    for (const left of ['98', '97', '96', '95']) {
      const verdict = a.checkAgentRate(limits);
      expect(verdict).not.toBeInstanceOf(Promise);
      expect(verdict).toEqual({ ok: true, headers: { 'RateLimit-Policy': '100;w=60', RateLimit: expect.stringMatching(new RegExp(`^limit=100, remaining=${left}, reset=\\d+$`)) } });
    }
    // The minute's share is spent: the next call waits for a new one, and only it is leased again.
    const sixth = a.checkAgentRate(limits);
    expect(sixth).toBeInstanceOf(Promise);
    expect(remaining(await sixth)).toBe('94');
    expect(a.leaseCount()).toBe(4);
  });

  it('ask the database once per share, not once per call', async () => {
    const a = createRateLimiter();
    const who = { ...ids(), perMinuteLimit: 10_000, perDayLimit: 1_000_000 };
    for (let i = 0; i < 1_000; i++) expect((await a.checkAgentRate(who)).ok).toBe(true);
    // Shares of 500 (a twentieth of 10,000) for the minute, of 1,000 (the cap) for the day: 2 + 1,
    // one more for the minute if a new calendar minute began meanwhile.
    expect(a.leaseCount()).toBeGreaterThanOrEqual(3);
    expect(a.leaseCount()).toBeLessThanOrEqual(5);
  });
});
