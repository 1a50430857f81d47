// Part of `npm run bench`: the rounds of each scenario summarised (medians per side, Leash / peer
// ratios against both peers) and the two tables docs/benchmarks.md and the console show.
import type { Sample } from './load';

/** Leash, node-oidc-provider with its in-memory adapter (the ceiling), the same with PostgreSQL (the fair peer). */
export const OAUTH_SIDES = ['leash', 'memory', 'postgres'] as const;
/** …and the API reads' floor: a bare node:http server writing the read's recorded answer (scripts/bench/floor-http.mjs). */
export const SIDES = [...OAUTH_SIDES, 'floor'] as const;
export type Side = (typeof SIDES)[number];

export type SideSummary = { rps: number; p50: number; p99: number; non2xx: number; errors: number; cpuUs: number | null; postgresCpuUs: number | null };
export type Row = {
  scenario: string;
  leash: SideSummary;
  memoryPeer: SideSummary | null;
  postgresPeer: SideSummary | null;
  /** The floor, for the API reads (null elsewhere). */
  floor: SideSummary | null;
  /** Leash's median req/s over each peer's (and the floor's), two decimals. */
  ratio: { memory: number | null; postgres: number | null; floor: number | null };
};

/** The middle value; the mean of the two middle ones for an even count. Nulls (nothing measured) are left out. */
export function median(values: (number | null)[]): number | null {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (!sorted.length) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const oneDecimal = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

export function summarizeSide(samples: Sample[]): SideSummary | null {
  if (!samples.length) return null;
  const of = (key: 'rps' | 'p50' | 'p99') => median(samples.map((s) => s[key]))!;
  return {
    rps: Math.round(of('rps')),
    p50: oneDecimal(of('p50'))!,
    p99: oneDecimal(of('p99'))!,
    non2xx: samples.reduce((n, s) => n + s.non2xx, 0),
    errors: samples.reduce((n, s) => n + s.errors, 0),
    cpuUs: oneDecimal(median(samples.map((s) => s.cpuUs))),
    postgresCpuUs: oneDecimal(median(samples.map((s) => s.postgresCpuUs))),
  };
}

export function summarizeScenario(scenario: string, samples: Record<Exclude<Side, 'floor'>, Sample[]> & { floor?: Sample[] }): Row {
  const leash = summarizeSide(samples.leash);
  if (!leash) throw new Error(`${scenario}: no Leash sample`);
  const ratio = (peer: Sample[]) => {
    const peerRps = median(peer.map((s) => s.rps));
    return peerRps ? Number((median(samples.leash.map((s) => s.rps))! / peerRps).toFixed(2)) : null;
  };
  return {
    scenario,
    leash,
    memoryPeer: summarizeSide(samples.memory),
    postgresPeer: summarizeSide(samples.postgres),
    floor: summarizeSide(samples.floor ?? []),
    ratio: { memory: ratio(samples.memory), postgres: ratio(samples.postgres), floor: ratio(samples.floor ?? []) },
  };
}

const cell = (value: number | null | undefined, unit = '') => (value === null || value === undefined ? 'n/a' : `${value.toLocaleString('en-US')}${unit}`);
const latency = (side: SideSummary | null) => (side ? `${side.p50} / ${side.p99}` : 'n/a');
const ratioCell = (value: number | null) => (value === null ? 'n/a' : `${value}×`);
/** Whole microseconds, n/a when nothing was measured. */
const us = (value: number | null | undefined) => (value === null || value === undefined ? 'n/a' : Math.round(value).toLocaleString('en-US'));

/** Requests per second, latency and both ratios. */
export function throughputTable(rows: Row[]): string {
  return [
    '| scenario | Leash req/s | p50 / p99 ms | peer in memory req/s | p50 / p99 ms | peer with PostgreSQL req/s | p50 / p99 ms | Leash / peer in memory | Leash / peer with PostgreSQL |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows
      .map((r) =>
        [
          r.scenario,
          cell(r.leash.rps),
          latency(r.leash),
          cell(r.memoryPeer?.rps),
          latency(r.memoryPeer),
          cell(r.postgresPeer?.rps),
          latency(r.postgresPeer),
          ratioCell(r.ratio.memory),
          ratioCell(r.ratio.postgres),
        ].join(' | '),
      )
      .map((line) => `| ${line} |`),
  ].join('\n');
}

/** Microseconds of CPU per request: each server's process tree, and the PostgreSQL cluster in the same window. */
export function cpuTable(rows: Row[]): string {
  return [
    '| scenario | Leash CPU µs/req | PostgreSQL µs/req | peer in memory CPU µs/req | PostgreSQL µs/req (idle background) | peer with PostgreSQL CPU µs/req | PostgreSQL µs/req |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${[r.scenario, us(r.leash.cpuUs), us(r.leash.postgresCpuUs), us(r.memoryPeer?.cpuUs), us(r.memoryPeer?.postgresCpuUs), us(r.postgresPeer?.cpuUs), us(r.postgresPeer?.postgresCpuUs)].join(' | ')} |`,
    ),
  ].join('\n');
}

/** The API reads against their floor: the same answer written by a server that checks nothing. */
export function floorTable(rows: Row[]): string {
  return [
    '| scenario | Leash req/s | Leash CPU µs/req | floor req/s | floor CPU µs/req | Leash / floor (req/s) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.filter((r) => r.floor).map((r) => `| ${[r.scenario, cell(r.leash.rps), us(r.leash.cpuUs), cell(r.floor!.rps), us(r.floor!.cpuUs), ratioCell(r.ratio.floor)].join(' | ')} |`),
  ].join('\n');
}

/** docs/benchmarks.md's words on the API reads' floor. */
export const FLOOR_TEXT = `The API reads have no peer (node-oidc-provider is not a resource server). Their floor is measured in the same rounds: a bare \`node:http\` server (\`scripts/bench/floor-http.mjs\`), pinned and started like Leash, sent the same requests and answering each with the read's own answer (its status, headers and body, recorded from Leash once), checking and writing nothing else. It is what any Node server on this core spends at least to read these requests and write these bytes; the rest of Leash's CPU is the token, the policy, the rate limit, the audit row, the access log and the metrics. For the DPoP-bound read, the load generator signs a proof per request, which bounds the floor's requests per second: read its CPU column there.`;

/** docs/benchmarks.md's words on the two peers. */
export function peersText(version: string): string {
  return [
    `Two peers, in this same run, pinned like Leash and started with the same Node flags (\`server/launch.ts\`): node-oidc-provider ${version} with one minimal configuration (one client, client_credentials, opaque tokens, introspection, DPoP on as by default), run twice.\n`,
    `- **in memory**: its own development adapter, an LRU of 1,000 entries inside the process. Nothing is written anywhere, nothing survives a restart or is shared with a second process: the ceiling.`,
    `- **with PostgreSQL**: the same provider with a durable adapter (\`scripts/bench/oidc-postgres-adapter.ts\`: its documented adapter interface over one table, in its own schema of the PostgreSQL cluster Leash uses here, a pool of 10 connections as Leash's): the fair peer, persisting what a production deployment must persist. Leash persists every token and writes its audit row.\n`,
    `The API reads have no peer (node-oidc-provider is not a resource server): their floor is below.`,
  ].join('\n');
}

/** docs/benchmarks.md's words on how CPU per request is measured. */
export const CPU_TEXT = `CPU time (user + system, from \`/proc/<pid>/stat\`) spent during each measured run, divided by the requests it completed, median over the rounds. Server: the server's process and its descendants. PostgreSQL: every process of the cluster (the postmaster and its children, backends that ended included), so Leash's own background work on the cluster (periodic tasks, LISTEN connections) is in every window, and so is work PostgreSQL does later for an earlier window's writes (autovacuum, checkpoints): the in-memory peer's PostgreSQL column is that background, per request of that window. The load generator (autocannon, in the bench's process) is counted nowhere.`;
