// Loaded into the Leash server by `npm run bench` when LEASH_BENCH_HEAP is set (`--import`, after
// tsx): V8's sampling heap profiler between two SIGUSR2 signals, which the bench sends around each
// measured run (scripts/bench/heap.ts). Objects that a scavenge or a full collection freed are
// counted too, so the profile is what the process allocated, not what it kept: the rate that
// decides how often the young generation fills and a scavenge pauses the server. Each profile is
// written to LEASH_BENCH_HEAP_OUT/<pid>-<n>.heapprofile (Chrome DevTools' Memory tab opens it).
import inspector from 'node:inspector';
import fs from 'node:fs';
import path from 'node:path';

const out = process.env.LEASH_BENCH_HEAP_OUT;
if (out) {
  const session = new inspector.Session();
  session.connect();
  session.post('HeapProfiler.enable');
  let sampling = false;
  let written = 0;
  process.on('SIGUSR2', () => {
    if (!sampling) {
      sampling = true;
      // One sample per 4 KiB allocated on average (V8's default is 32 KiB): a request allocates tens.
      session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
      return;
    }
    sampling = false;
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) return console.error('heap sampling failed', error);
      const file = path.join(out, `${process.pid}-${++written}.heapprofile`);
      fs.writeFileSync(`${file}.partial`, JSON.stringify(result.profile));
      fs.renameSync(`${file}.partial`, file);
    });
  });
}
