import { describe, expect, it } from 'vitest';
import { uuid7 } from '@/lib/ids/uuid7';

describe('uuid7', () => {
  it('is an RFC 9562 version 7 UUID carrying the time in its first 48 bits', () => {
    const now = Date.UTC(2026, 11, 6, 7, 0, 0, 123);
    const id = uuid7(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
  });

  it('never repeats its random bits, across many refills of its pool', () => {
    const now = Date.now();
    const ids = Array.from({ length: 5_000 }, () => uuid7(now));
    expect(new Set(ids).size).toBe(5_000);
    // 74 random bits per id: the random parts differ, not only a counter.
    const randomParts = new Set(ids.map((id) => id.slice(15)));
    expect(randomParts.size).toBe(5_000);
  });

  it('sorts by creation time', () => {
    const ids = [3, 1, 2].map((ms) => uuid7(1_700_000_000_000 + ms));
    expect([...ids].sort()).toEqual([ids[1], ids[2], ids[0]]);
  });
});
