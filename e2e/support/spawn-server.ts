// Starts a second Leash server for tests that need their own configuration or their own database
// (outages, HTTPS issuer). Same entry point operators use: server/main.ts on the production build.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '../../scripts/lib/embedded-pg';
import { SERVER_ARGV } from '../../server/launch';

// Servers still running when the test worker exits (a test timed out while one started) are
// killed with it, instead of living on as orphans that load the machine.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
});

export type SpawnedServer = {
  baseURL: string;
  pid: number;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  /** What the server wrote so far (stdout only with `captureStdout`). */
  output: () => { stdout: string; stderr: string };
  stop: () => Promise<void>;
  /** Sends `signal` (SIGKILL: no shutdown at all) and waits for the process to be gone. */
  kill: (signal: NodeJS.Signals) => Promise<void>;
  /** What the process wrote to stderr so far (its log). */
  stderr: () => string;
};

/**
 * `port` and `dataDir` (secrets and keys) let a test restart "the same" server; a data folder
 * given by the test is left in place on stop.
 */
export async function spawnServer(env: Record<string, string>, options: { port?: number; dataDir?: string; captureStdout?: boolean } = {}): Promise<SpawnedServer> {
  const port = options.port ?? (await findFreePort());
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'leash-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [...SERVER_ARGV], {
    cwd: path.resolve(import.meta.dirname, '..', '..'),
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LEASH_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', options.captureStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000; // a loaded CI machine starts a Next server slowly
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}): ${stderr}`);
    try {
      await fetch(`${baseURL}/api/health`);
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`server did not start: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  return {
    baseURL,
    pid: child.pid!,
    exited,
    output: () => ({ stdout, stderr }),
    kill,
    stderr: () => stderr,
    stop: async () => {
      await kill('SIGTERM');
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
