import { describe, expect, it } from 'vitest';
import { randomPoolBytes } from './random-pool';

describe('random pool', () => {
  it('hands out each byte once: 20,000 draws of 32 bytes across many refills are all different', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(randomPoolBytes(32).toString('hex'));
    expect(seen.size).toBe(20_000);
  });

  it('draws of odd sizes straddling a refill are fresh too (no piece of the previous fill reused)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) seen.add(randomPoolBytes(1000 + (i % 7)).toString('hex'));
    expect(seen.size).toBe(5_000);
  });

  it('writes into a given buffer at an offset and leaves the rest as it was', () => {
    const target = Buffer.alloc(16, 0xab);
    expect(randomPoolBytes(10, target, 6)).toBe(target);
    expect([...target.subarray(0, 6)]).toEqual([0xab, 0xab, 0xab, 0xab, 0xab, 0xab]);
  });

  it('refuses more than a pool at a time', () => {
    expect(() => randomPoolBytes(4097)).toThrow(RangeError);
  });
});
