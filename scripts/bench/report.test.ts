// The bench's summary (issue 16 §3): medians per side, both Leash / peer ratios, the CPU table.
import { describe, expect, it } from 'vitest';
import type { Sample } from './load';
import { cpuTable, floorTable, median, summarizeScenario, throughputTable } from './report';

const sample = (rps: number, extra: Partial<Sample> = {}): Sample => ({ rps, p50: 10, p99: 40, non2xx: 0, errors: 0, requests: rps * 5, cpuUs: 300, postgresCpuUs: 100, ...extra });

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([1000, 2000])).toBe(1500);
  });

  it('leaves out runs where nothing was measured, and has no answer without any', () => {
    expect(median([null, 5, null])).toBe(5);
    expect(median([null])).toBeNull();
    expect(median([])).toBeNull();
  });
});

describe('summarizeScenario', () => {
  it('gives Leash over each peer, from the median req/s of each side', () => {
    const row = summarizeScenario('token issuance', {
      leash: [sample(1000), sample(1400)],
      memory: [sample(4000), sample(4000)],
      postgres: [sample(500), sample(700)],
    });
    expect(row.leash.rps).toBe(1200);
    expect(row.ratio).toEqual({ memory: 0.3, postgres: 2, floor: null });
    expect(row.floor).toBeNull();
  });

  it('keeps CPU per request as medians per side, and adds up non-2xx answers', () => {
    const row = summarizeScenario('introspection', {
      leash: [sample(1000, { cpuUs: 500, postgresCpuUs: 0, non2xx: 2 }), sample(1000, { cpuUs: 700, postgresCpuUs: 10, non2xx: 3 })],
      memory: [sample(3000, { cpuUs: 250.04, postgresCpuUs: 1.26 })],
      postgres: [],
    });
    expect(row.leash).toMatchObject({ cpuUs: 600, postgresCpuUs: 5, non2xx: 5 });
    expect(row.memoryPeer).toMatchObject({ rps: 3000, cpuUs: 250, postgresCpuUs: 1.3 });
    expect(row.postgresPeer).toBeNull();
    expect(row.ratio).toEqual({ memory: 0.33, postgres: null, floor: null });
  });

  it('refuses a scenario without a Leash sample', () => {
    expect(() => summarizeScenario('empty', { leash: [], memory: [sample(1)], postgres: [] })).toThrow(/no Leash sample/);
  });
});

describe('the tables', () => {
  const rows = [
    summarizeScenario('token issuance', { leash: [sample(1234)], memory: [sample(4936)], postgres: [sample(617)] }),
    summarizeScenario('API read', { leash: [sample(2000, { cpuUs: 412.6, postgresCpuUs: 87.4 })], memory: [], postgres: [], floor: [sample(40000, { cpuUs: 17.4 }), sample(50000, { cpuUs: 18.2 })] }),
  ];

  it('shows both ratios, n/a where a scenario has no peer', () => {
    const lines = throughputTable(rows).split('\n');
    expect(lines[0]).toContain('| Leash / peer in memory | Leash / peer with PostgreSQL |');
    expect(lines[2]).toBe('| token issuance | 1,234 | 10 / 40 | 4,936 | 10 / 40 | 617 | 10 / 40 | 0.25× | 2× |');
    expect(lines[3]).toBe('| API read | 2,000 | 10 / 40 | n/a | n/a | n/a | n/a | n/a | n/a |');
  });

  it('shows microseconds of CPU per request, whole microseconds', () => {
    const lines = cpuTable(rows).split('\n');
    expect(lines[2]).toBe('| token issuance | 300 | 100 | 300 | 100 | 300 | 100 |');
    expect(lines[3]).toBe('| API read | 413 | 87 | n/a | n/a | n/a | n/a |');
  });

  it('shows the API reads against their floor (medians of its rounds), and only the scenarios that have one', () => {
    expect(rows[1]!.ratio.floor).toBe(0.04);
    const lines = floorTable(rows).split('\n');
    expect(lines[0]).toBe('| scenario | Leash req/s | Leash CPU µs/req | floor req/s | floor CPU µs/req | Leash / floor (req/s) |');
    expect(lines.slice(2)).toEqual(['| API read | 2,000 | 413 | 45,000 | 18 | 0.04× |']);
  });
});
