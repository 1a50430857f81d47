// The client address behind per-IP limits cannot be chosen by the client: without trusted proxies
// (the default), Leash uses the socket's peer address and ignores X-Forwarded-For and its own
// internal header, whatever a client sends. Runs a server of its own, on a database of its own.
// @see ec0b0c1 (Settings): the commit whose behaviour these tests guard.
import fs from 'node:fs';
import path from 'node:path';
import { expect, request as playwrightRequest, test } from '@playwright/test';
import { findFreePort, startEmbeddedPostgres } from '../../scripts/lib/embedded-pg';
import { deployMigrations } from '../../scripts/lib/schema-engine';
import { sameOrigin, uniqueEmail, uniqueIp } from '../support/accounts';
import { spawnServer } from '../support/spawn-server';

test('spoofed X-Forwarded-For and x-leash-client-ip do not escape the per-IP sign-in limit', async () => {
  test.setTimeout(90_000);
  fs.mkdirSync('.leash-test', { recursive: true });
  const dir = fs.mkdtempSync(path.resolve('.leash-test', 'client-ip-'));
  fs.chmodSync(dir, 0o755);
  const database = await startEmbeddedPostgres({
    dir: path.join(dir, 'pg'),
    port: await findFreePort(),
    database: 'leash',
    password: 'client-ip-test',
  });
  await deployMigrations({ databaseUrl: database.url });
  const server = await spawnServer({
    DATABASE_URL: database.url,
    LEASH_TRUSTED_PROXIES: '0',
    LEASH_SIGNIN_IP_LIMIT: '3',
    LEASH_SIGNIN_ACCOUNT_LIMIT: '50',
  });
  const http = await playwrightRequest.newContext({ baseURL: server.baseURL });
  try {
    const account = { email: uniqueEmail('spoof'), password: 'a-long-enough-passphrase' };
    const created = await http.post('/api/account/sign-up', { data: account, headers: sameOrigin(server.baseURL) });
    expect(created.status()).toBe(201);

    for (let i = 0; i < 3; i++) {
      const spoofed = await spoofedSignIn(http, server.baseURL, { email: uniqueEmail('spray'), password: 'wrong-password!' });
      expect(spoofed).toBe('CredentialsSignin');
    }
    // The right password, from "another" address: still the same socket, so still blocked.
    expect(await spoofedSignIn(http, server.baseURL, account)).toMatch(/^RateLimited:\d+$/);
  } finally {
    await http.dispose();
    await server.stop();
    await database.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

async function spoofedSignIn(http: Awaited<ReturnType<typeof playwrightRequest.newContext>>, baseURL: string, credentials: { email: string; password: string }) {
  const headers = { ...sameOrigin(baseURL), 'x-leash-client-ip': uniqueIp() };
  const { csrfToken } = await (await http.get('/api/auth/csrf', { headers })).json();
  // A fresh random X-Forwarded-For on every attempt, which must be ignored here.
  const response = await http.post('/api/auth/callback/credentials', {
    headers: { ...headers, 'X-Forwarded-For': uniqueIp() },
    form: { ...credentials, csrfToken, json: 'true' },
    maxRedirects: 0,
  });
  const body = (await response.json()) as { url?: string };
  return body.url ? new URL(body.url).searchParams.get('error') : null;
}
