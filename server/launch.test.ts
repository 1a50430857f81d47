import { expect, test } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { SERVER_COMMAND, SERVER_NODE_FLAGS } from './launch';

const ROOT = path.resolve(import.meta.dirname, '..');

test('`npm run serve` starts the server as every other launcher does', () => {
  const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
  expect(scripts.serve).toBe(SERVER_COMMAND);
});

test('the heap flag takes effect in a process started with it', () => {
  const heapLimit = (flags: readonly string[]) =>
    Number(execFileSync(process.execPath, [...flags, '-e', "process.stdout.write(String(require('node:v8').getHeapStatistics().heap_size_limit))"], { encoding: 'utf8' }));
  // The young generation is three semi-spaces (node --help: --max-semi-space-size): 32 MiB instead
  // of the default 16 adds 3 × 16 MiB to the heap's limit.
  expect(heapLimit(SERVER_NODE_FLAGS) - heapLimit([])).toBe(3 * 16 * 1024 * 1024);
});
