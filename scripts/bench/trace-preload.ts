// Loaded into both Leash instances by `npm run bench` when LEASH_BENCH_TRACE is set (`--import`,
// after tsx): what could have held up an answer, with when it happened (epoch milliseconds, the
// clock of the bench's samples), one line each in LEASH_BENCH_TRACE_OUT/<port>-<pid>.trace:
//   <at> gc <minor|major|incremental|weak> <ms>   a garbage collection's pause (perf_hooks)
//   <at> lag <ms>                                  the event loop took its turn this much late
//   <at> request <ms> <status> <method> <path>     a request slower than 30 ms, or not 2xx/3xx
// (`request` times it from Node's 'request' event to the answer's last byte handed to the kernel.)
// Lines are buffered and written once a second; scripts/bench/trace.ts reads them.
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';

const out = process.env.LEASH_BENCH_TRACE_OUT;
if (out) {
  const file = path.join(out, `${process.env.PORT ?? 'server'}-${process.pid}.trace`);
  const epoch = (at: number) => (performance.timeOrigin + at).toFixed(1);
  let lines = '';
  const GC_KINDS: Record<number, string> = { 1: 'minor', 4: 'major', 8: 'incremental', 16: 'weak' };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
      lines += `${epoch(entry.startTime)} gc ${GC_KINDS[kind] ?? kind} ${entry.duration.toFixed(2)}\n`;
    }
  }).observe({ entryTypes: ['gc'] });

  // A 5 ms timer: a turn more than 10 ms late is written down.
  const TICK_MS = 5;
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    const late = now - last - TICK_MS;
    if (late > 10) lines += `${epoch(last + TICK_MS)} lag ${late.toFixed(1)}\n`;
    last = now;
  }, TICK_MS).unref();

  const started = new WeakMap<http.IncomingMessage, number>();
  diagnostics.subscribe('http.server.request.start', (message) => started.set((message as { request: http.IncomingMessage }).request, performance.now()));
  diagnostics.subscribe('http.server.response.finish', (message) => {
    const { request, response } = message as { request: http.IncomingMessage; response: http.ServerResponse };
    const at = started.get(request);
    if (at === undefined) return;
    const ms = performance.now() - at;
    if (ms > 30 || response.statusCode >= 400) lines += `${epoch(at)} request ${ms.toFixed(1)} ${response.statusCode} ${request.method} ${(request.url ?? '').split('?')[0]}\n`;
  });

  setInterval(() => {
    if (!lines) return;
    fs.appendFileSync(file, lines);
    lines = '';
  }, 1_000).unref();
}
