// A broken log pipe never takes the server down (issue 19 §1): started with its output piped (as
// `npm run serve 2>&1 | tee log` is, when tee dies, a log shipper restarts or an SSH session
// closes), the reader goes away, and a request that logs a line arrives. The server must keep
// answering, not spin writing EPIPE errors about its own logging, and still exit on SIGTERM.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { findFreePort } from '../../scripts/lib/embedded-pg';
import { SERVER_ARGV } from '../../server/launch';

// Killed after the test whatever happens (a spinning server would otherwise outlive the run).
let spawned: ReturnType<typeof spawn> | undefined;
test.afterEach(() => {
  if (spawned && spawned.exitCode === null) spawned.kill('SIGKILL');
});

test('with its stdout and stderr readers gone, the server keeps answering and exits on SIGTERM', async () => {
  test.setTimeout(150_000);
  const port = await findFreePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-e2e-'));
  const child = spawn(process.execPath, [...SERVER_ARGV], {
    cwd: path.resolve(import.meta.dirname, '..', '..'),
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LEASH_DATA_DIR: dataDir, LEASH_ISSUER: `http://localhost:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned = child;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseURL = `http://127.0.0.1:${port}`;
  try {
    await expect.poll(async () => (await fetch(`${baseURL}/api/health`).catch(() => null))?.status ?? 0, { timeout: 90_000 }).toBe(200);
    // The reader goes away: both pipes are closed on our side.
    child.stdout!.destroy();
    child.stderr!.destroy();
    // Requests that make the server log (a refused cross-origin write, an unknown route, a bad body).
    for (let i = 0; i < 5; i++) {
      await fetch(`${baseURL}/api/account/tokens/revoke-all`, { method: 'POST', headers: { Origin: 'https://evil.example', 'Content-Type': 'application/json' }, body: '{}' }).catch(() => null);
      await fetch(`${baseURL}/oauth/token`, { method: 'POST', body: 'grant_type=nope' }).catch(() => null);
    }
    // Still serving, each answer prompt (a hung or spinning process answers nothing).
    for (let i = 0; i < 10; i++) {
      const health = await fetch(`${baseURL}/api/health`, { signal: AbortSignal.timeout(5_000) });
      expect(health.status).toBe(200);
    }
    const metadata = await fetch(`${baseURL}/.well-known/oauth-authorization-server`, { signal: AbortSignal.timeout(5_000) });
    expect(metadata.status).toBe(200);
    // And SIGTERM still ends it, with exit code 0.
    child.kill('SIGTERM');
    expect(await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 20_000))])).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
