// A crashed test worker must fail the run: Vitest's own report still says success.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { vitestCounts } from './test-counts';

const report = (fields: Record<string, unknown>) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leash-counts-')), 'vitest.json');
  fs.writeFileSync(file, JSON.stringify({ success: true, numPendingTests: 0, numTodoTests: 0, ...fields }));
  return file;
};

describe("a Vitest report's counts", () => {
  it('are taken as they are when every test finished', () => {
    expect(vitestCounts(report({ numTotalTests: 5, numPassedTests: 3, numFailedTests: 1, numPendingTests: 1 }))).toEqual({ passed: 3, failed: 1, skipped: 1 });
  });

  it('count the tests of a worker that exited as failed (Vitest says success: true and 0 failed)', () => {
    // As written by the run whose worker hit a V8 fatal error: 435 tests, 431 passed, none failed.
    expect(vitestCounts(report({ numTotalTests: 435, numPassedTests: 431, numFailedTests: 0 }))).toEqual({ passed: 431, failed: 4, skipped: 0 });
  });

  it('are missing when the report is', () => {
    expect(vitestCounts('/nonexistent/vitest.json')).toBeNull();
  });
});
