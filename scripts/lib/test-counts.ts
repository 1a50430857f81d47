// The counts of a test run, read from the runners' JSON reports (scripts/test.ts): what the one
// summary line says and what decides the exit code.
import fs from 'node:fs';

export type Counts = { passed: number; failed: number; skipped: number };

export function vitestCounts(file: string): Counts | null {
  if (!fs.existsSync(file)) return null;
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  const counts = { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests };
  // A test worker that dies (a crash, the OOM killer) leaves its file's tests neither passed nor
  // failed, and Vitest still reports success and exits 0 (seen: "Worker exited unexpectedly", 431
  // of 435 tests accounted for, "0 failed"). Every test that did not finish counts as failed.
  const unfinished = r.numTotalTests - counts.passed - counts.failed - counts.skipped;
  if (unfinished > 0) {
    console.error(`[test] ${unfinished} unit test(s) never finished: a test worker exited (see "Unhandled Errors" above).`);
    counts.failed += unfinished;
  }
  return counts;
}

export function playwrightCounts(file: string): Counts | null {
  if (!fs.existsSync(file)) return null;
  const s = JSON.parse(fs.readFileSync(file, 'utf8')).stats;
  return { passed: s.expected + s.flaky, failed: s.unexpected, skipped: s.skipped };
}
