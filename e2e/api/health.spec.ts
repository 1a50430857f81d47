// @see 4fec91b (Foundation): the commit whose behaviour these tests guard.
import fs from 'node:fs';
import path from 'node:path';
import { expect, request as playwrightRequest, test } from '@playwright/test';
import { DEMO, signInOverHttp, uniqueIp } from '../support/accounts';
import { findFreePort, startEmbeddedPostgres } from '../../scripts/lib/embedded-pg';
import { spawnServer } from '../support/spawn-server';

test('GET /api/health answers 200 when the database is reachable', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.status()).toBe(200);
  expect(response.headers()['cache-control']).toBe('no-store');
  const body = await response.json();
  expect(body).toEqual({ status: 'ok', database: { status: 'ok', latency_ms: expect.any(Number) } });
});

test('health fails closed with 503 while the database is down, and recovers when it is back', async () => {
  test.setTimeout(90_000);
  // Inside the project: the embedded PostgreSQL runs as the `postgres` user, which must reach it.
  fs.mkdirSync('.leash-test', { recursive: true });
  const dir = fs.mkdtempSync(path.resolve('.leash-test', 'outage-'));
  fs.chmodSync(dir, 0o755);
  const start = async (port: number) => startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port, database: 'leash', password: 'outage-test' });
  const port = await findFreePort();
  let database = await start(port);
  const server = await spawnServer({ DATABASE_URL: database.url });
  try {
    expect((await fetch(`${server.baseURL}/api/health`)).status).toBe(200);

    await database.stop();
    const down = await fetch(`${server.baseURL}/api/health`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect(down.headers.get('cache-control')).toBe('no-store');
    expect(await down.json()).toEqual({
      status: 'unavailable',
      database: {
        status: 'unreachable',
        message: 'The database is not reachable. Leash refuses requests until it is.',
      },
    });

    // Signing in fails closed too, with a clear code and no database internals.
    const browserLike = await playwrightRequest.newContext({ baseURL: server.baseURL });
    const signIn = await signInOverHttp(browserLike, server.baseURL, DEMO, uniqueIp());
    expect(signIn.error).toBe('ServiceUnavailable');
    expect(await (await browserLike.get('/api/auth/session')).json()).toEqual({});
    await browserLike.dispose();

    database = await start(port);
    await expect.poll(async () => (await fetch(`${server.baseURL}/api/health`)).status, { timeout: 15_000 }).toBe(200);
  } finally {
    await server.stop();
    await database.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
