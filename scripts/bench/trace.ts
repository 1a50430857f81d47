// LEASH_BENCH_TRACE=<dir> (scripts/bench.ts): both Leash instances write down their garbage
// collections, event-loop delays and slow or refused requests (scripts/bench/trace-preload.ts),
// and the report places the slowest samples of the revocation under load among what instance B
// was doing meanwhile: a slow sample can then be told to be a pause, a queue or the refusal's own
// work. The traces stay in <dir>.
import fs from 'node:fs';
import path from 'node:path';

export type TraceEvent =
  { at: number; type: 'gc'; kind: string; ms: number } | { at: number; type: 'lag'; ms: number } | { at: number; type: 'request'; ms: number; status: number; method: string; path: string };

/** The server arguments that load the tracer, and the environment that names where it writes. */
export function tracing(dir: string): { args: string[]; env: Record<string, string> } {
  fs.mkdirSync(dir, { recursive: true });
  return { args: ['--import', path.join(import.meta.dirname, 'trace-preload.ts')], env: { LEASH_BENCH_TRACE_OUT: path.resolve(dir) } };
}

export function parseTrace(text: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  for (const line of text.split('\n')) {
    const [at, type, a, b, c, d] = line.split(' ');
    if (type === 'gc') events.push({ at: Number(at), type, kind: a!, ms: Number(b) });
    else if (type === 'lag') events.push({ at: Number(at), type, ms: Number(a) });
    else if (type === 'request') events.push({ at: Number(at), type, ms: Number(a), status: Number(b), method: c!, path: d! });
  }
  return events;
}

/** Every trace an instance wrote in `dir` (`<port>-<pid>.trace`, appended to once a second). */
export function readTraces(dir: string, port: number): TraceEvent[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.startsWith(`${port}-`) && name.endsWith('.trace'))
    .flatMap((name) => parseTrace(fs.readFileSync(path.join(dir, name), 'utf8')));
}

/** One sample among the instance's events: times in ms from the revoke call's answer. */
export type PlacedSample = {
  sample: number;
  ms: number;
  /** The refusal on the instance: when it reached the handler, and how long it took there. */
  refusal: { arrivedMs: number; inServerMs: number } | null;
  /** Pauses and delays that overlap the sample, each `<what> <ms> @<from the answer>`. */
  during: string[];
};

/**
 * The `top` slowest samples, each with the instance's events that overlap it (from its revoke
 * call's answer to its end). The refusal is the first request refused with `refusedStatus` that
 * arrived in that window.
 */
export function placeSlowest(events: TraceEvent[], answeredAt: number[], latencies: number[], top: number, refusedStatus = 401): PlacedSample[] {
  const order = latencies.map((ms, i) => ({ ms, i })).sort((a, b) => b.ms - a.ms);
  return order.slice(0, top).map(({ ms, i }) => {
    const from = answeredAt[i]!;
    const to = from + ms;
    const overlapping = events.filter((e) => e.at < to && e.at + e.ms > from);
    const refusal = overlapping.find((e) => e.type === 'request' && e.status === refusedStatus && e.at >= from);
    const round = (n: number) => Number(n.toFixed(1));
    return {
      sample: i + 1,
      ms: round(ms),
      refusal: refusal ? { arrivedMs: round(refusal.at - from), inServerMs: round(refusal.ms) } : null,
      during: overlapping.filter((e) => e.type !== 'request').map((e) => `${e.type === 'gc' ? `gc ${e.kind}` : 'lag'} ${round(e.ms)} ms @${round(e.at - from)}`),
    };
  });
}
