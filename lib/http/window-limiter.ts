// Per-key limits in memory, for the public machine endpoints' per-address and per-client limits
// (lib/oauth/rate-limits.ts, lib/secret-scanning/limit-reports.ts): a fixed window per key, opened
// by the key's first request and lasting `seconds`, as rate-limiter-flexible's memory store counts,
// but answered synchronously (no promise per request on the hot path; docs/performance.md §5).
// Limits shared by every instance live in PostgreSQL instead (lib/http/postgres-limiter.ts).
import 'server-only';

/** Fixed windows per key, in memory; expired windows are swept at most once per window length. */
export class WindowLimiter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();
  private sweepAt: number;

  constructor(
    readonly points: number,
    readonly seconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sweepAt = now() + seconds * 1000;
  }

  /** Counts one request for `key`: null when within the limit, else the milliseconds until its window ends. */
  take(key: string): number | null {
    const now = this.now();
    if (now >= this.sweepAt) this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + this.seconds * 1000 };
      this.windows.set(key, window);
    }
    window.count++;
    return window.count > this.points ? window.endsAt - now : null;
  }

  /** Keys with an open window (tests). */
  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
    this.sweepAt = now + this.seconds * 1000;
  }
}

/** Retry-After's seconds for a wait of `waitMs` (RFC 6585 §4, RFC 9110 §10.2.3): whole seconds, at least one. */
export function secondsToWait(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
