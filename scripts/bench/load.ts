// Part of `npm run bench`: one measured run of autocannon against one target, with the CPU time the
// server's process tree and the PostgreSQL cluster spent during it (scripts/bench/cpu.ts).
import autocannon from 'autocannon';
import { clockTicksPerSecond, cpuMicrosPerRequest, cpuSnapshot } from './cpu';

export type Target = {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Per request: extra headers (a fresh DPoP proof). */
  perRequest?: () => Record<string, string>;
  /** Sees each response's headers (a new DPoP nonce). */
  onHeaders?: (headers: Record<string, string>) => void;
  /** Throws when the target no longer measures what it says (an introspected token gone inactive). */
  verify?: () => Promise<void>;
};

/** The processes whose CPU a run is charged with: the server under load and the PostgreSQL postmaster. */
export type CpuWatch = { serverPid: number; postgresPid: number };

export type Sample = {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Requests completed (answered) during the run. */
  requests: number;
  /** Microseconds of CPU per completed request: the server's process tree, the whole PostgreSQL cluster. */
  cpuUs: number | null;
  postgresCpuUs: number | null;
};

const TICKS_PER_SECOND = clockTicksPerSecond();

export async function run(target: Target, options: { seconds: number; connections: number; watch?: CpuWatch }): Promise<Sample> {
  const before = options.watch && cpuSnapshot(options.watch.serverPid, options.watch.postgresPid);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: target.url,
        method: target.method,
        headers: target.headers,
        body: target.body,
        connections: options.connections,
        duration: options.seconds,
        ...(target.perRequest
          ? {
              requests: [
                {
                  setupRequest: (request: Record<string, unknown>) => ({ ...request, headers: { ...(request.headers as object), ...target.perRequest!() } }),
                  onResponse: (_status: number, _body: string, _context: unknown, headers?: Record<string, string>) => headers && target.onHeaders?.(headers),
                },
              ],
            }
          : {}),
      } as autocannon.Options,
      (error, answer) => (error ? reject(error) : resolve(answer)),
    );
  });
  const after = options.watch && cpuSnapshot(options.watch.serverPid, options.watch.postgresPid);
  const requests = result.requests.total;
  const perRequest = (key: 'server' | 'postgres') => (before && after ? cpuMicrosPerRequest(after[key] - before[key], TICKS_PER_SECOND, requests) : null);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    requests,
    cpuUs: perRequest('server'),
    postgresCpuUs: perRequest('postgres'),
  };
}

/**
 * Runs `work` while autocannon keeps `targets` under load (the connections shared between them),
 * and stops the load when `work` ends: a latency measured under load, not idle. Answers what
 * `work` answered and how many requests the load made meanwhile.
 */
export async function underLoad<T>(targets: Target[], connections: number, work: () => Promise<T>): Promise<{ result: T; requests: number; non2xx: number }> {
  const each = Math.max(1, Math.floor(connections / targets.length));
  const finished: Promise<autocannon.Result>[] = [];
  const instances = targets.map((target) => {
    let instance!: autocannon.Instance;
    finished.push(
      new Promise((resolve, reject) => {
        instance = autocannon({ url: target.url, method: target.method, headers: target.headers, connections: each, duration: 600 } as autocannon.Options, (error, result) =>
          error ? reject(error) : resolve(result),
        );
      }),
    );
    return instance;
  });
  let result: T;
  try {
    // The load reaches its steady state before the measurement starts: a second instance that has
    // only refused tokens so far compiles its read path under this load. After 1 s its first 8
    // samples of 60 (about 2 s) took 54–78 ms and the rest 21–45 ms, so 3 s.
    await new Promise((r) => setTimeout(r, 3_000));
    result = await work();
  } finally {
    for (const instance of instances) instance.stop();
  }
  const results = await Promise.all(finished);
  return { result, requests: results.reduce((sum, r) => sum + r.requests.total, 0), non2xx: results.reduce((sum, r) => sum + r.non2xx, 0) };
}
