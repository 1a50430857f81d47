// A log destination that fails or stalls never blocks or loops (issue 19 §1), checked on a real
// pipe (a FIFO): its reader gone (EPIPE), and its reader alive but never reading (a full pipe).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileDescriptorDestination, MAX_BUFFERED_BYTES } from '@/lib/log/destination';

const opened: number[] = [];
afterEach(() => {
  for (const fd of opened.splice(0)) fs.closeSync(fd);
});

function fifo(): { reader: number; writer: number } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leash-log-')), 'pipe');
  execFileSync('mkfifo', [file]);
  const reader = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const writer = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  return { reader, writer };
}

const line = (i: number) => `${JSON.stringify({ level: 'info', msg: 'x'.repeat(200), i })}\n`;

describe('a file-descriptor log destination', () => {
  it('whose reader has gone: the first failed write marks it gone, later lines are dropped without a write, nothing throws', async () => {
    const { reader, writer } = fifo();
    opened.push(writer);
    fs.closeSync(reader);
    const destination = fileDescriptorDestination(writer);
    destination.write(line(0));
    await expect.poll(() => destination.gone).toBe(true);
    for (let i = 1; i <= 10_000; i++) destination.write(line(i));
    expect(destination.dropped).toBeGreaterThanOrEqual(10_000);
    destination.flush();
  });

  it('whose reader never reads: what waits is bounded, the rest is dropped, and writing never blocks', { timeout: 30_000 }, async () => {
    const { reader, writer } = fifo();
    opened.push(reader, writer);
    const destination = fileDescriptorDestination(writer);
    const lines = Math.ceil((3 * MAX_BUFFERED_BYTES) / line(0).length);
    let turned = 0;
    const ticker = setInterval(() => turned++, 1);
    for (let i = 0; i < lines; i++) {
      destination.write(line(i));
      if (i % 2000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    clearInterval(ticker);
    // The event loop kept turning, and about two thirds of the lines were dropped.
    expect(turned).toBeGreaterThan(0);
    expect(destination.dropped).toBeGreaterThan(lines / 2);
    expect(destination.gone).toBe(false);
    // The reader catches up: what was kept arrives.
    const buffer = Buffer.alloc(65_536);
    let read = 0;
    // (A writer that met a full pipe tries again every 100 ms.)
    const deadline = Date.now() + 15_000;
    while (read < MAX_BUFFERED_BYTES / 2 && Date.now() < deadline) {
      try {
        read += fs.readSync(reader, buffer);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    expect(read).toBeGreaterThan(MAX_BUFFERED_BYTES / 2);
  });
});
