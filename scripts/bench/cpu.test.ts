// CPU per request for the bench (issue 16 §3): /proc stat lines, process trees, the arithmetic.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuMicrosPerRequest, parseProcStat, readAllStats, treeTicks, type ProcStat } from './cpu';

// `stat` lines as Linux writes them (proc(5)), utime stime cutime cstime = fields 14..17.
const line = (pid: number, comm: string, ppid: number, [utime, stime, cutime, cstime]: number[]) =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 2854 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 1 0 8782755 3133440 410 18446744073709551615 0 0 0 0`;

describe('parseProcStat', () => {
  it('reads pid, parent and own plus waited-for children ticks', () => {
    expect(parseProcStat(line(42, 'postgres', 7, [100, 20, 3, 4]))).toEqual({ pid: 42, ppid: 7, ticks: 127 });
  });

  it('counts fields after the last parenthesis, whatever the command name holds', () => {
    expect(parseProcStat(line(9, 'postgres: postgres leash_bench 127.0.0.1(5432) idle', 8, [5, 6, 0, 0]))).toEqual({ pid: 9, ppid: 8, ticks: 11 });
    expect(parseProcStat(line(10, 'a) S 1 (b', 1, [1, 1, 1, 1]))).toEqual({ pid: 10, ppid: 1, ticks: 4 });
  });

  it('refuses a line that is not a stat line', () => {
    expect(() => parseProcStat('hello')).toThrow(/not a \/proc stat line/);
    expect(() => parseProcStat('12 (x) S 1 2')).toThrow(/not a \/proc stat line/);
  });
});

describe('treeTicks', () => {
  const stats: ProcStat[] = [
    { pid: 1, ppid: 0, ticks: 1000 },
    { pid: 10, ppid: 1, ticks: 50 }, // the postmaster
    { pid: 11, ppid: 10, ticks: 7 }, // a backend
    { pid: 12, ppid: 10, ticks: 8 },
    { pid: 13, ppid: 12, ticks: 1 }, // a grandchild
    { pid: 20, ppid: 1, ticks: 300 }, // someone else's process
  ];

  it('sums the root and all its descendants, nothing else', () => {
    expect(treeTicks(stats, 10)).toBe(66);
    expect(treeTicks(stats, 12)).toBe(9);
    expect(treeTicks(stats, 20)).toBe(300);
  });

  it('answers 0 for a root that is not there', () => {
    expect(treeTicks(stats, 99)).toBe(0);
  });
});

describe('cpuMicrosPerRequest', () => {
  it('turns clock ticks over completed requests into microseconds, one decimal', () => {
    // 250 ticks at 100/s = 2.5 s of CPU over 10,000 requests = 250 µs each.
    expect(cpuMicrosPerRequest(250, 100, 10_000)).toBe(250);
    expect(cpuMicrosPerRequest(1, 100, 3)).toBe(3333.3);
    expect(cpuMicrosPerRequest(0, 100, 500)).toBe(0);
  });

  it('has no answer without requests', () => {
    expect(cpuMicrosPerRequest(10, 100, 0)).toBeNull();
  });
});

describe('readAllStats', () => {
  it('sees a running child under this process, with the CPU it burns', async () => {
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 400; while (Date.now() < end);'], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 300));
    const stats = readAllStats();
    expect(stats.find((s) => s.pid === child.pid)?.ppid).toBe(process.pid);
    // Node's start alone takes tens of milliseconds of CPU: several 10 ms ticks.
    expect(treeTicks(stats, child.pid!)).toBeGreaterThan(0);
    expect(treeTicks(stats, process.pid)).toBeGreaterThan(treeTicks(stats, child.pid!));
    await exited;
  });
});
