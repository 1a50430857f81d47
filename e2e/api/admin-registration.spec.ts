// The administrator's deployment switch for dynamic client registration: applied at once (on
// every instance: it lives in PostgreSQL), reflected in discovery, audited, and refused to anyone
// but an administrator. On a database of its own, so closing registration disturbs no other test.
// @see bf54b70 (Settings): the commit whose behaviour these tests guard.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { expect, request as playwrightRequest, test } from '@playwright/test';
import { findFreePort, startEmbeddedPostgres } from '../../scripts/lib/embedded-pg';
import { deployMigrations } from '../../scripts/lib/schema-engine';
import { createAccount, sameOrigin, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { spawnServer } from '../support/spawn-server';

test('an administrator closes and reopens client registration; members cannot', async () => {
  test.setTimeout(120_000);
  fs.mkdirSync('.leash-test', { recursive: true });
  const dir = fs.mkdtempSync(path.resolve('.leash-test', 'admin-'));
  fs.chmodSync(dir, 0o755);
  const database = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port: await findFreePort(), database: 'leash', password: 'admin-test' });
  const sql = new pg.Pool({ connectionString: database.url });
  // An idle client's connection ended by the server (as when the database stops) is an 'error' on
  // the pool; without a listener it is an uncaught exception that fails the test after its end (a
  // clean-clone CI run failed with "terminating connection due to administrator command").
  sql.on('error', (error) => console.error('[admin-registration] idle database client:', error.message));
  try {
    await deployMigrations({ databaseUrl: database.url });
    const server = await spawnServer({ DATABASE_URL: database.url });
    try {
      const api = await playwrightRequest.newContext({ baseURL: server.baseURL });
      const admin = await createAccount(api, server.baseURL, { email: uniqueEmail('admin'), password: 'a-long-enough-passphrase' });
      await sql.query("UPDATE users SET role = 'ADMIN' WHERE email = $1", [admin.email]);
      expect((await signInOverHttp(api, server.baseURL, admin, uniqueIp())).error).toBeNull();
      const member = await playwrightRequest.newContext({ baseURL: server.baseURL });
      const user = await createAccount(member, server.baseURL, { email: uniqueEmail('member'), password: 'a-long-enough-passphrase' });
      expect((await signInOverHttp(member, server.baseURL, user, uniqueIp())).error).toBeNull();

      const register = () => api.post('/oauth/register', { data: { client_name: 'Switch test', grant_types: ['client_credentials'] } });
      const discovery = async () => (await (await api.get('/.well-known/oauth-authorization-server')).json()).registration_endpoint;
      const setMode = (context: typeof api, mode: string) => context.post('/api/admin/registration', { headers: sameOrigin(server.baseURL), data: { mode } });

      expect((await register()).status()).toBe(201);
      const refused = await setMode(member, 'off');
      expect(refused.status()).toBe(403);
      expect((await refused.json()).error).toBe('forbidden');

      expect((await setMode(api, 'off')).status()).toBe(200);
      const closed = await register();
      expect(closed.status()).toBe(403);
      expect((await closed.json()).error).toBe('access_denied');
      expect(await discovery()).toBeUndefined();
      expect((await setMode(api, 'token')).status()).toBe(400); // no LEASH_REGISTRATION_TOKEN on this server
      expect((await setMode(api, 'sometimes')).status()).toBe(400);

      expect((await setMode(api, 'open')).status()).toBe(200);
      expect((await register()).status()).toBe(201);
      expect(await discovery()).toMatch(/\/oauth\/register$/);
      const { rows } = await sql.query("SELECT reason FROM audit_events WHERE action = 'deployment.registration_mode' ORDER BY id");
      expect(rows.map((r) => r.reason)).toEqual(['dynamic client registration set to off', 'dynamic client registration set to open']);
      await api.dispose();
      await member.dispose();
    } finally {
      await server.stop();
    }
  } finally {
    await sql.end();
    await database.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
