// The bench's fair peer (issue 16 §3): its PostgreSQL adapter against the test database, then the
// peer process itself, to show that its tokens really live in the table (not in memory).
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../lib/embedded-pg';
import { createPeerSchema, postgresAdapter } from './oidc-postgres-adapter';

let pool: pg.Pool;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
  await pool.query('DROP SCHEMA IF EXISTS oidc_peer CASCADE');
  await createPeerSchema(pool);
  // Created once already: the peer's start must not fail on a second run.
  await createPeerSchema(pool);
});

afterAll(async () => {
  await pool.query('DROP SCHEMA IF EXISTS oidc_peer CASCADE');
  await pool.end();
});

const rows = async (id: string) => (await pool.query('SELECT type, grant_id, user_code, uid, expires_at, consumed_at FROM oidc_peer.oidc_payloads WHERE id = $1 ORDER BY type', [id])).rows;

describe('the PostgreSQL adapter', () => {
  const Adapter = () => postgresAdapter(pool);

  it('stores a payload per (id, model), finds it back, and replaces it on a second upsert', async () => {
    const Tokens = Adapter();
    const access = new Tokens('AccessToken');
    const codes = new Tokens('AuthorizationCode');
    const id = crypto.randomUUID();
    await access.upsert(id, { jti: id, kind: 'AccessToken', grantId: 'g1', scope: 'a' }, 3600);
    await codes.upsert(id, { jti: id, kind: 'AuthorizationCode' }, 60);
    expect(await access.find(id)).toEqual({ jti: id, kind: 'AccessToken', grantId: 'g1', scope: 'a' });
    await access.upsert(id, { jti: id, kind: 'AccessToken', grantId: 'g2', scope: 'b' }, 3600);
    expect(await access.find(id)).toEqual({ jti: id, kind: 'AccessToken', grantId: 'g2', scope: 'b' });
    expect(await codes.find(id)).toEqual({ jti: id, kind: 'AuthorizationCode' });
    const stored = await rows(id);
    expect(stored.map((r) => [r.type, r.grant_id])).toEqual([
      ['AccessToken', 'g2'],
      ['AuthorizationCode', null],
    ]);
    expect(stored[0].expires_at.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect(await access.find(crypto.randomUUID())).toBeUndefined();
  });

  it('keeps a payload without expiry forever and hides an expired one (still in the table)', async () => {
    const Grants = new (Adapter())('Grant');
    const forever = crypto.randomUUID();
    const expired = crypto.randomUUID();
    await Grants.upsert(forever, { jti: forever });
    await Grants.upsert(expired, { jti: expired }, 0);
    expect(await Grants.find(forever)).toEqual({ jti: forever });
    expect((await rows(forever))[0].expires_at).toBeNull();
    expect(await Grants.find(expired)).toBeUndefined();
    expect(await rows(expired)).toHaveLength(1);
  });

  it('marks a consumed payload with the epoch seconds it was consumed at', async () => {
    const Codes = new (Adapter())('AuthorizationCode');
    const id = crypto.randomUUID();
    await Codes.upsert(id, { jti: id }, 60);
    const before = Math.floor(Date.now() / 1000);
    await Codes.consume(id);
    const found = await Codes.find(id);
    expect(found?.jti).toBe(id);
    expect(found?.consumed).toBeGreaterThanOrEqual(before - 1);
    expect(found?.consumed).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1);
    expect((await rows(id))[0].consumed_at).toBeInstanceOf(Date);
  });

  it('finds a session by its uid and a device code by its user code, within their own model', async () => {
    const Classes = Adapter();
    const sessions = new Classes('Session');
    const devices = new Classes('DeviceCode');
    const sessionId = crypto.randomUUID();
    const deviceId = crypto.randomUUID();
    const uid = crypto.randomUUID();
    const userCode = crypto.randomBytes(4).toString('hex');
    await sessions.upsert(sessionId, { jti: sessionId, uid }, 600);
    await devices.upsert(deviceId, { jti: deviceId, userCode }, 600);
    expect(await sessions.findByUid(uid)).toEqual({ jti: sessionId, uid });
    expect(await devices.findByUserCode(userCode)).toEqual({ jti: deviceId, userCode });
    expect(await devices.findByUid(uid)).toBeUndefined();
    expect(await sessions.findByUserCode(userCode)).toBeUndefined();
    expect((await rows(deviceId))[0].user_code).toBe(userCode);
  });

  it('destroys one payload, and revokes a grant in one model without touching other grants or models', async () => {
    const Classes = Adapter();
    const access = new Classes('AccessToken');
    const refresh = new Classes('RefreshToken');
    const grant = crypto.randomUUID();
    const [a1, a2, other, r1] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await access.upsert(a1, { jti: a1, grantId: grant }, 600);
    await access.upsert(a2, { jti: a2, grantId: grant }, 600);
    await access.upsert(other, { jti: other, grantId: crypto.randomUUID() }, 600);
    await refresh.upsert(r1, { jti: r1, grantId: grant }, 600);
    await access.revokeByGrantId(grant);
    expect(await access.find(a1)).toBeUndefined();
    expect(await access.find(a2)).toBeUndefined();
    expect(await rows(a1)).toHaveLength(0);
    expect(await access.find(other)).toEqual({ jti: other, grantId: expect.any(String) });
    expect(await refresh.find(r1)).toEqual({ jti: r1, grantId: grant });
    await refresh.destroy(r1);
    expect(await rows(r1)).toHaveLength(0);
  });
});

describe('the peer with PostgreSQL', () => {
  let peer: ChildProcess;
  let url: string;
  const secret = crypto.randomBytes(16).toString('hex');
  const auth = `Basic ${Buffer.from(`bench:${secret}`).toString('base64')}`;
  const form = { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: auth };

  beforeAll(async () => {
    const port = await findFreePort();
    url = `http://127.0.0.1:${port}`;
    peer = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/peer-oidc-provider.mjs', String(port), secret, process.env.DATABASE_URL!], {
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (peer.exitCode !== null) throw new Error(`the peer exited (${peer.exitCode})`);
      try {
        await fetch(`${url}/.well-known/openid-configuration`);
        return;
      } catch {
        if (Date.now() > deadline) throw new Error('the peer did not start');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });

  afterAll(async () => {
    if (peer.exitCode !== null) return;
    const exited = new Promise((r) => peer.once('exit', r));
    peer.kill('SIGTERM');
    await exited;
  });

  const introspect = async (token: string) => (await (await fetch(`${url}/token/introspection`, { method: 'POST', headers: form, body: `token=${token}` })).json()) as { active: boolean };

  it('stores its client_credentials token in the table and introspects it from there', async () => {
    const issued = await fetch(`${url}/token`, { method: 'POST', headers: form, body: 'grant_type=client_credentials&scope=api%3Aread' });
    expect(issued.status).toBe(200);
    const { access_token: token } = (await issued.json()) as { access_token: string };
    const stored = await pool.query(`SELECT type, payload FROM oidc_peer.oidc_payloads WHERE type = 'ClientCredentials' AND payload->>'clientId' = 'bench'`);
    expect(stored.rows.length).toBeGreaterThanOrEqual(1);
    expect(await introspect(token)).toMatchObject({ active: true, client_id: 'bench', scope: 'api:read' });
    // Deleted behind the peer's back: the peer holds no copy of its own.
    await pool.query(`DELETE FROM oidc_peer.oidc_payloads WHERE type = 'ClientCredentials'`);
    expect(await introspect(token)).toEqual({ active: false });
  });
});
