import { describe, expect, it } from 'vitest';
import { heardAfterAnswer, percentile, summarizeCrossInstance, summarizeHeard } from './latency';

describe('cross-instance latency summary', () => {
  it('reports a fresh instance first sample apart from the percentiles, and sums the stale answers', () => {
    const measured = { latencies: [144, 5, 6, 7, 8, 9, 10, 11, 12, 13, 40], stale: [0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0] };
    expect(summarizeCrossInstance(measured, true)).toEqual({
      p50: 9,
      p99: 40,
      samples: 10,
      slowestSample: 11,
      firstMs: 144,
      staleAnswers: 3,
      samplesMs: [144, 5, 6, 7, 8, 9, 10, 11, 12, 13, 40],
    });
  });

  it('keeps every sample when the instance is warm already (under load)', () => {
    const measured = { latencies: [144, 5, 6, 7], stale: [0, 0, 0, 0] };
    expect(summarizeCrossInstance(measured, false)).toEqual({ p50: 6, p99: 144, samples: 4, slowestSample: 1, staleAnswers: 0, samplesMs: [144, 5, 6, 7] });
  });

  it('takes the nearest-rank percentile', () => {
    expect(percentile([3, 1, 2, 4], 0.5)).toBe(2);
    expect(percentile([3, 1, 2, 4], 0.99)).toBe(4);
  });

  it("reads when B heard of each change from its invalidation trace, relative to A's answer", () => {
    // Two revocations: B heard of the first 1.5 ms before A answered, of the second 4 ms after.
    // The policy line and the first sample's earlier token line are not the second sample's.
    const trace = ['1000.000 token:t-1', '1002.000 policy:u:a', '1090.000 token:t-2', ''].join('\n');
    const changes = [
      { startedAt: 990, answeredAt: 1001.5 },
      { startedAt: 1080, answeredAt: 1086 },
    ];
    expect(heardAfterAnswer(trace, changes, 'token')).toEqual([-1.5, 4]);
    expect(summarizeHeard([-1.5, 4, 2], true)).toEqual({ p50: 2, p99: 4, max: 4, samplesMs: [-1.5, 4, 2] });
    expect(() => heardAfterAnswer(trace, [{ startedAt: 2000, answeredAt: 2001 }], 'token')).toThrow(/no token notification for sample 1/);
  });
});
