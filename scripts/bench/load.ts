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
