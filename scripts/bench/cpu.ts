// Part of `npm run bench`: CPU time per request (issue 16 §3), read from Linux's /proc. A process
// tree's CPU time is the sum, over the root and its live descendants, of utime + stime (their own)
// + cutime + cstime (their children that exited and were waited for): a PostgreSQL backend that
// ends lands in the postmaster's cutime, so the total only grows. Sampled before and after each
// measured run; the difference divided by the requests the run completed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export type ProcStat = { pid: number; ppid: number; ticks: number };

/**
 * One /proc/<pid>/stat line (proc(5)): `pid (comm) state ppid … utime stime cutime cstime …`.
 * The command name may hold spaces and parentheses, so the fields are counted after the last `)`.
 */
export function parseProcStat(line: string): ProcStat {
  const close = line.lastIndexOf(')');
  const pid = Number(line.slice(0, line.indexOf(' ')));
  // Field 3 (state) is index 0 here: ppid is field 4, utime..cstime are fields 14..17.
  const fields = line.slice(close + 2).split(' ');
  const [utime, stime, cutime, cstime] = [fields[11], fields[12], fields[13], fields[14]].map(Number);
  if (close < 0 || !Number.isInteger(pid) || [utime, stime, cutime, cstime].some((n) => !Number.isFinite(n))) throw new Error(`not a /proc stat line: ${line.slice(0, 80)}`);
  return { pid, ppid: Number(fields[1]), ticks: utime! + stime! + cutime! + cstime! };
}

/** Clock ticks of `root` and every descendant in `stats` (root missing: 0). */
export function treeTicks(stats: ProcStat[], root: number): number {
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  let total = 0;
  const pending = stats.filter((s) => s.pid === root);
  while (pending.length) {
    const stat = pending.pop()!;
    total += stat.ticks;
    pending.push(...(children.get(stat.pid) ?? []));
  }
  return total;
}

/** Every process's stat now (a process that ends while it is read is skipped). */
export function readAllStats(proc = '/proc'): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of fs.readdirSync(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.push(parseProcStat(fs.readFileSync(path.join(proc, entry, 'stat'), 'utf8')));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return stats;
}

/** Clock ticks per second (sysconf(_SC_CLK_TCK), 100 on Linux almost everywhere). */
export function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** Microseconds of CPU per completed request, one decimal; null without requests. */
export function cpuMicrosPerRequest(ticks: number, ticksPerSecond: number, requests: number): number | null {
  if (requests <= 0) return null;
  return Math.round(((ticks / ticksPerSecond) * 1e6 * 10) / requests) / 10;
}

/** The pid of a PostgreSQL cluster's postmaster: the first line of `<data dir>/postmaster.pid`. */
export function postmasterPid(dataDir: string): number {
  const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no postmaster pid in ${dataDir}`);
  return pid;
}

export type CpuWatch = { server: number; postgres: number };

/** Reads the CPU ticks of the server's process tree and the PostgreSQL cluster's, together. */
export function cpuSnapshot(serverPid: number, postgresPid: number): CpuWatch {
  const stats = readAllStats();
  return { server: treeTicks(stats, serverPid), postgres: treeTicks(stats, postgresPid) };
}
