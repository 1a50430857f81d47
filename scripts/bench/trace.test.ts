import { describe, expect, it } from 'vitest';
import { parseTrace, placeSlowest } from './trace';

describe('the bench trace (LEASH_BENCH_TRACE)', () => {
  const text = [
    '1000.0 gc minor 4.10',
    '1010.0 lag 12.5',
    '1012.5 request 31.0 200 GET /api/v1/datasets',
    '1020.0 request 20.0 401 GET /api/v1/datasets',
    '1100.0 gc major 60.00',
    '1130.0 request 45.0 401 GET /api/v1/datasets',
    'garbage line',
    '',
  ].join('\n');

  it('reads the lines the preload writes, and nothing else', () => {
    const events = parseTrace(text);
    expect(events).toHaveLength(6);
    expect(events[0]).toEqual({ at: 1000, type: 'gc', kind: 'minor', ms: 4.1 });
    expect(events[1]).toEqual({ at: 1010, type: 'lag', ms: 12.5 });
    expect(events[3]).toEqual({ at: 1020, type: 'request', ms: 20, status: 401, method: 'GET', path: '/api/v1/datasets' });
  });

  it('places the slowest samples among the pauses and refusals that overlap them', () => {
    // Sample 1 answered at 1005 and took 40 ms; sample 2 answered at 1095 and took 80 ms.
    const placed = placeSlowest(parseTrace(text), [1005, 1095], [40, 80], 2);
    expect(placed[0]).toEqual({ sample: 2, ms: 80, refusal: { arrivedMs: 35, inServerMs: 45 }, during: ['gc major 60 ms @5'] });
    // The scavenge that ended at 1004.1 is before sample 1's window; the 200 is not its refusal.
    expect(placed[1]).toEqual({ sample: 1, ms: 40, refusal: { arrivedMs: 15, inServerMs: 20 }, during: ['lag 12.5 ms @5'] });
  });

  it('says when no refusal was traced in a sample', () => {
    expect(placeSlowest(parseTrace('1000.0 gc minor 4'), [999], [3], 1)).toEqual([{ sample: 1, ms: 3, refusal: null, during: ['gc minor 4 ms @1'] }]);
  });
});
