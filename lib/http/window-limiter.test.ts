// The machine endpoints' in-memory limits (lib/http/window-limiter.ts): a fixed window per key,
// opened by the key's first request, counted synchronously.
import { describe, expect, it } from 'vitest';
import { secondsToWait, WindowLimiter } from './window-limiter';

describe('WindowLimiter', () => {
  it('lets `points` requests through per window, then tells how long until the window ends', () => {
    let now = 1_000_000;
    const limiter = new WindowLimiter(3, 60, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([null, null, null]);
    now += 15_000;
    expect(limiter.take('a')).toBe(45_000);
    // Every refused request still counts, as rate-limiter-flexible's memory store counted them.
    expect(limiter.take('a')).toBe(45_000);
    // Another key has its own window.
    expect(limiter.take('b')).toBeNull();
  });

  it('opens a new window once the old one ended', () => {
    let now = 0;
    const limiter = new WindowLimiter(1, 60, () => now);
    expect(limiter.take('a')).toBeNull();
    expect(limiter.take('a')).toBe(60_000);
    now = 59_999;
    expect(limiter.take('a')).toBe(1);
    now = 60_000;
    expect(limiter.take('a')).toBeNull();
    expect(limiter.take('a')).toBe(60_000);
  });

  it('forgets keys whose window ended, at most once per window length', () => {
    let now = 0;
    const limiter = new WindowLimiter(5, 60, () => now);
    for (let i = 0; i < 100; i++) limiter.take(`ip-${i}`);
    expect(limiter.size).toBe(100);
    now = 30_000;
    limiter.take('late');
    expect(limiter.size).toBe(101);
    // At 60 s the first hundred windows have ended; the sweep runs on the next request.
    now = 60_000;
    limiter.take('later');
    expect(limiter.size).toBe(2);
  });

  it('turns a wait into Retry-After seconds: rounded up, never zero', () => {
    expect(secondsToWait(45_000)).toBe(45);
    expect(secondsToWait(44_001)).toBe(45);
    expect(secondsToWait(1)).toBe(1);
    expect(secondsToWait(0)).toBe(1);
  });
});
