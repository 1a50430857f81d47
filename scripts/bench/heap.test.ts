import { describe, expect, it } from 'vitest';
import { allocatedBytes } from './heap';

describe('allocatedBytes', () => {
  it('adds every node of a sampling heap profile, however deep', () => {
    const leaf = (selfSize: number) => ({ selfSize, children: [] });
    expect(allocatedBytes({ selfSize: 0, children: [{ selfSize: 4096, children: [leaf(8192), { selfSize: 0, children: [leaf(12288)] }] }, leaf(4096)] })).toBe(28672);
    expect(allocatedBytes(leaf(0))).toBe(0);
  });
});
