// LEASH_BENCH_HEAP=<dir> (scripts/bench.ts): what the Leash server allocates per request in each
// measured run, from V8's sampling heap profiler (scripts/bench/heap-sampling-preload.ts, loaded
// into the server). The profiles stay in <dir> for a closer look (which functions allocate).
// The profiler itself costs CPU: read the allocation, not that run's CPU per request.
import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';

/** A node of a V8 sampling heap profile (the part read here). */
export type HeapProfileNode = { selfSize: number; children: HeapProfileNode[] };

/** What a sampling heap profile estimates was allocated while it ran, in bytes. */
export function allocatedBytes(node: HeapProfileNode): number {
  let total = node.selfSize;
  for (const child of node.children) total += allocatedBytes(child);
  return total;
}

/** The server arguments that load the sampler, and the environment that names where it writes. */
export function heapSampling(dir: string): { args: string[]; env: Record<string, string> } {
  fs.mkdirSync(dir, { recursive: true });
  return { args: ['--import', path.join(import.meta.dirname, 'heap-sampling-preload.ts')], env: { LEASH_BENCH_HEAP_OUT: path.resolve(dir) } };
}

/** Samples the server's allocations while `work` runs; resolves with its result and the bytes allocated. */
export async function sampleAllocations<T>(server: ChildProcess, dir: string, work: () => Promise<T>): Promise<{ result: T; bytes: number }> {
  const before = new Set(fs.readdirSync(dir));
  server.kill('SIGUSR2');
  // The server starts sampling when its event loop takes the signal: an idle server, at once.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const result = await work();
  server.kill('SIGUSR2');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const written = fs.readdirSync(dir).find((name) => name.endsWith('.heapprofile') && !before.has(name));
    if (written) {
      const profile = JSON.parse(fs.readFileSync(path.join(dir, written), 'utf8')) as { head: HeapProfileNode };
      return { result, bytes: allocatedBytes(profile.head) };
    }
    if (Date.now() > deadline) throw new Error('the server wrote no heap profile');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
