// Graceful shutdown (issue 19 §2; fault F5 of its catalogue): SIGTERM while agents call the API.
// Readiness turns 503 first while liveness stays 200 (LEASH_SHUTDOWN_DELAY_MS gives balancers
// that long to notice); then the listener closes, in-flight requests finish, and the process
// exits 0 well within its deadline. Every 200 an agent received has its audit row, no request
// hangs, and a server restarted on the same port serves the same token at once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, request as playwrightRequest, test } from '@playwright/test';
import { spawnServer } from '../support/spawn-server';
import { delegatedToken, NO_RATE_LIMIT, setPolicy } from '../support/delegation';
import { testDb } from '../support/db';
import { findFreePort } from '../../scripts/lib/embedded-pg';

const AGENTS = 8;
const DELAY_MS = 1500;

test('SIGTERM under load: readiness first, every answered call audited, nothing hangs, exit 0, the restart serves at once', async () => {
  test.setTimeout(240_000);
  const port = await findFreePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-e2e-'));
  const env = { LEASH_SHUTDOWN_DELAY_MS: String(DELAY_MS), LEASH_USER_RATE_LIMIT: '1000000' };
  const server = await spawnServer(env, { port, dataDir });
  const http = await playwrightRequest.newContext({ baseURL: server.baseURL });
  try {
    const agent = await delegatedToken(http, server.baseURL, 'datasets:read');
    // Eight agents' loops answer well over the default 600 calls a minute on a quick machine: the
    // limit is not what this test is about, and a 429 is not a 200.
    await setPolicy(agent, NO_RATE_LIMIT);
    expect((await fetch(`${server.baseURL}/api/health/ready`)).status).toBe(200);

    const answered: { status: number; requestId: string | null }[] = [];
    const failures: string[] = [];
    let stop = false;
    const loop = async () => {
      while (!stop) {
        try {
          const response = await fetch(`${server.baseURL}/api/v1/datasets`, { headers: agent.auth, signal: AbortSignal.timeout(20_000) });
          await response.arrayBuffer();
          answered.push({ status: response.status, requestId: response.headers.get('x-request-id') });
        } catch (error) {
          const cause = ((error as Error).cause as { code?: string } | undefined)?.code ?? (error as Error).name;
          // After the listener closed, connecting is refused: the agent would retry elsewhere.
          // A request that waits 20 s without an answer is a hang: the test fails on it.
          if (cause === 'TimeoutError') failures.push('a request hung');
          if (cause === 'ECONNREFUSED') return;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const loops = Array.from({ length: AGENTS }, loop);
    await expect.poll(() => answered.length, { timeout: 30_000 }).toBeGreaterThan(20);
    const before = answered.length;

    const signalled = Date.now();
    process.kill(server.pid, 'SIGTERM');
    // During the delay: not ready, still alive, still answering.
    await expect.poll(async () => (await fetch(`${server.baseURL}/api/health/ready`)).status, { timeout: DELAY_MS }).toBe(503);
    const ready = await fetch(`${server.baseURL}/api/health/ready`);
    expect(await ready.json()).toMatchObject({ status: 'draining' });
    expect(ready.headers.get('retry-after')).toBe('5');
    expect((await fetch(`${server.baseURL}/api/health/live`)).status).toBe(200);

    const code = await Promise.race([server.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 20_000))]);
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(DELAY_MS + 10_000);
    stop = true;
    await Promise.all(loops);
    expect(failures).toEqual([]);
    expect(answered.length).toBeGreaterThan(before);
    expect(answered.filter((a) => a.status !== 200)).toEqual([]);

    // Every 200 has its audit row, written before the answer.
    const ids = answered.map((a) => a.requestId!);
    const { rows } = await testDb().query('SELECT request_id FROM audit_events WHERE request_id = ANY($1::text[])', [ids]);
    expect(new Set(rows.map((row) => row.request_id)).size).toBe(ids.length);

    // The restart serves at once, the same token included.
    const restarted = await spawnServer(env, { port, dataDir });
    try {
      expect((await fetch(`${restarted.baseURL}/api/v1/datasets`, { headers: agent.auth })).status).toBe(200);
      // Ready once its LISTEN connection is up, moments after start.
      await expect.poll(async () => (await fetch(`${restarted.baseURL}/api/health/ready`)).status, { timeout: 5_000 }).toBe(200);
    } finally {
      await restarted.stop();
    }
  } finally {
    await http.dispose();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a second SIGTERM while draining ends the process at once', async () => {
  test.setTimeout(120_000);
  const server = await spawnServer({ LEASH_SHUTDOWN_DELAY_MS: '30000' });
  try {
    process.kill(server.pid, 'SIGTERM');
    await expect.poll(async () => (await fetch(`${server.baseURL}/api/health/ready`)).status).toBe(503);
    process.kill(server.pid, 'SIGTERM');
    expect(await Promise.race([server.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 5_000))])).toBe(1);
  } finally {
    await server.stop();
  }
});
