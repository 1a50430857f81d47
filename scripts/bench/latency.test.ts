import { describe, expect, it } from 'vitest';
import { percentile, summarizeCrossInstance } from './latency';

describe('cross-instance latency summary', () => {
  it('reports a fresh instance first sample apart from the percentiles, and sums the stale answers', () => {
    const measured = { latencies: [144, 5, 6, 7, 8, 9, 10, 11, 12, 13, 40], stale: [0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0] };
    expect(summarizeCrossInstance(measured, true)).toEqual({ p50: 9, p99: 40, samples: 10, slowestSample: 11, firstMs: 144, staleAnswers: 3 });
  });

  it('keeps every sample when the instance is warm already (under load)', () => {
    const measured = { latencies: [144, 5, 6, 7], stale: [0, 0, 0, 0] };
    expect(summarizeCrossInstance(measured, false)).toEqual({ p50: 6, p99: 144, samples: 4, slowestSample: 1, staleAnswers: 0 });
  });

  it('takes the nearest-rank percentile', () => {
    expect(percentile([3, 1, 2, 4], 0.5)).toBe(2);
    expect(percentile([3, 1, 2, 4], 0.99)).toBe(4);
  });
});
