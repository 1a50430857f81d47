// Per-agent rate limit and daily quota from the agent's policy, and a per-user ceiling across all
// of a user's agents (issue 4, step 5), holding across instances without a database round trip
// per request (issue 16 §4): each window of each key (a calendar minute, a UTC day) is counted in
// PostgreSQL by leases. An instance asks for a share (`leash_rate_lease`, migration rate_leases:
// atomic, never past the limit) and counts it down in memory; only when its share is spent does it
// ask again, one request at a time per key. So all instances together admit at most the limit per
// window, with no overshoot; the price is that a share one instance leased and does not use is
// not available to the others until the window ends (at most one share, a twentieth of the limit
// capped at 1,000 calls, per instance). Refusals are 429 with Retry-After and the RateLimit
// headers (draft-ietf-httpapi-ratelimit-headers). Without the database, the call fails closed.
import 'server-only';
import { dbPool } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';

const MINUTE = 60_000;
const DAY = 86_400_000;
const MAX_SHARE = 1_000;

export type RateVerdict = { ok: true; headers: Record<string, string> } | { ok: false; reason: string; retryAfterSeconds: number; headers: Record<string, string> };

type Bucket = { window: number; end: number; left: number; total: number; spent: boolean; leasing: Promise<void> | null };
type Taken = { over: boolean; remaining: number; reset: number };
type RateOptions = { agentId: string; userId: string | null; perMinuteLimit: number; perDayLimit: number };

/** The RateLimit headers of the per-minute limit (draft-ietf-httpapi-ratelimit-headers). */
function rateHeaders(limit: number, remaining: number, reset: number): Record<string, string> {
  return { 'RateLimit-Policy': `${limit};w=60`, RateLimit: `limit=${limit}, remaining=${remaining}, reset=${reset}` };
}

// One place for how the counters are named and read, for both ways of counting a call (at once
// from a held share, or after leasing one).
const agentKey = (options: RateOptions) => `agent:${options.agentId}:${options.userId ?? '-'}`;
const userKey = (userId: string) => `user:${userId}`;
const bucketId = (key: string, windowMs: number) => `${key}:${windowMs}`;
/** Seconds until the window ends (at least 1). */
const resetSeconds = (end: number, now: number) => Math.max(1, Math.ceil((end - now) / 1000));
/** What is left of the limit across instances, after this instance's count. */
const remainingOf = (limit: number, bucket: Bucket) => Math.max(0, limit - bucket.total + bucket.left);

/** One instance's counters (a process has one; tests make two to play two instances). */
export function createRateLimiter() {
  const buckets = new Map<string, Bucket>();
  let leases = 0;

  async function take(key: string, limit: number, windowMs: number): Promise<Taken> {
    const now = Date.now();
    const window = Math.floor(now / windowMs);
    const end = (window + 1) * windowMs;
    const reset = resetSeconds(end, now);
    const id = bucketId(key, windowMs);
    let bucket = buckets.get(id);
    if (!bucket || bucket.window !== window) {
      if (buckets.size > 50_000) for (const [k, b] of buckets) if (b.end <= now) buckets.delete(k);
      bucket = { window, end, left: 0, total: 0, spent: false, leasing: null };
      buckets.set(id, bucket);
    }
    const b = bucket;
    while (b.left <= 0 && !b.spent) {
      // One lease at a time per key on this instance; the requests that arrive meanwhile wait for it.
      if (!b.leasing) leases++;
      b.leasing ??= lease(`lease:${id}:${window}`, Math.max(1, Math.min(MAX_SHARE, Math.floor(limit / 20))), limit, end)
        .then(({ granted, total }) => {
          b.left += granted;
          b.total = total;
          if (granted === 0) b.spent = true;
        })
        .finally(() => {
          b.leasing = null;
        });
      await b.leasing;
    }
    if (b.left <= 0) return { over: true, remaining: 0, reset };
    b.left--;
    return { over: false, remaining: remainingOf(limit, b), reset };
  }

  /**
   * The share left of one window of `key`, when this instance holds some now (no lease needed), in
   * the bucket `take` would count it from.
   */
  function heldShare(key: string, windowMs: number, now: number): Bucket | undefined {
    const bucket = buckets.get(bucketId(key, windowMs));
    return bucket && bucket.window === Math.floor(now / windowMs) && bucket.left > 0 ? bucket : undefined;
  }

  /**
   * The common case without a promise: when this instance holds a share of every window the call
   * counts against, each is counted down here, as `take` would, and the answer is the same.
   * Otherwise (a share to lease, or a limit reached) the call goes the way that waits.
   */
  function checkAgentRate(options: RateOptions): RateVerdict | Promise<RateVerdict> {
    const key = agentKey(options);
    const now = Date.now();
    const minute = heldShare(key, MINUTE, now);
    const day = minute && heldShare(key, DAY, now);
    const user = day && (options.userId ? heldShare(userKey(options.userId), MINUTE, now) : null);
    if (!minute || !day || user === undefined) return checkAgentRateWaiting(options, key);
    minute.left--;
    day.left--;
    if (user) user.left--;
    return { ok: true, headers: rateHeaders(options.perMinuteLimit, remainingOf(options.perMinuteLimit, minute), resetSeconds(minute.end, now)) };
  }

  async function checkAgentRateWaiting(options: RateOptions, key: string): Promise<RateVerdict> {
    const minute = await take(key, options.perMinuteLimit, MINUTE);
    const headers = rateHeaders(options.perMinuteLimit, minute.remaining, minute.reset);
    if (minute.over) return { ok: false, reason: `rate limit of ${options.perMinuteLimit} calls per minute`, retryAfterSeconds: minute.reset, headers };
    const day = await take(key, options.perDayLimit, DAY);
    if (day.over) return { ok: false, reason: `daily quota of ${options.perDayLimit} calls`, retryAfterSeconds: day.reset, headers };
    if (options.userId) {
      const ceiling = getConfig().userRateLimitPerMinute;
      const user = await take(userKey(options.userId), ceiling, MINUTE);
      if (user.over) return { ok: false, reason: `the account's ceiling of ${ceiling} calls per minute across agents`, retryAfterSeconds: user.reset, headers };
    }
    return { ok: true, headers };
  }

  /** How many leases this instance has asked the database for (tests, metrics). */
  const leaseCount = () => leases;
  return { checkAgentRate, leaseCount };
}

let sweptAt = 0;
async function lease(key: string, wanted: number, limit: number, end: number): Promise<{ granted: number; total: number }> {
  const { rows } = await dbPool().query<{ granted: number; total: number }>('SELECT granted, total FROM leash_rate_lease($1, $2, $3, $4)', [key, wanted, limit, end]);
  // Windows that have ended are of no use: swept now and then, off the request's path.
  if (Date.now() - sweptAt > MINUTE) {
    sweptAt = Date.now();
    void dbPool()
      .query("DELETE FROM rate_limits WHERE key LIKE 'lease:%' AND expire < $1", [Date.now()])
      .catch(() => {});
  }
  return rows[0]!;
}

// Shared through globalThis: the Next bundle and the fast path (server/fast-path.ts) are two
// module instances in one process, and must count as one instance.
const holder = globalThis as typeof globalThis & { leashRateLimiter?: ReturnType<typeof createRateLimiter> };
holder.leashRateLimiter ??= createRateLimiter();

export const checkAgentRate: ReturnType<typeof createRateLimiter>['checkAgentRate'] = (options) => holder.leashRateLimiter!.checkAgentRate(options);
