// Faults (issue 7): the database stops in the middle of traffic; the server restarts in the middle
// of an authorization and of a CIBA poll; clients' clocks are off. (Races on one code or refresh
// token: faults-races.spec.ts.) (Elsewhere: the health endpoint's outage test in health.spec.ts, concurrent
// refreshes in oauth-authorization-code.spec.ts, concurrent CIBA polls and approve-vs-deny in
// jit-elevation.spec.ts, the revoked-while-cached cases in resource-server.spec.ts.)
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as jose from 'jose';
import pg from 'pg';
import { generate } from 'otplib';
import { expect, test } from '@playwright/test';
import { findFreePort, startEmbeddedPostgres } from '../../scripts/lib/embedded-pg';
import { deployMigrations } from '../../scripts/lib/schema-engine';
import { spawnServer } from '../support/spawn-server';
import { serverWithOwnDatabase } from '../support/own-database';
import { AGENT_CALLBACK, authorizeOverHttp, authorizeUrl, basic, exchangeCode, pkce, registerClient, registerMachineClient, registerPublicAgent } from '../support/oauth';
import { createAccount, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';

test('the database stops mid-traffic: clean 503s, nothing answered 200 without its record, a cached token is not honoured, and service resumes', async () => {
  test.setTimeout(120_000);
  fs.mkdirSync('.leash-test', { recursive: true });
  const dir = fs.mkdtempSync(path.resolve('.leash-test', 'faults-'));
  fs.chmodSync(dir, 0o755);
  const port = await findFreePort();
  const start = () => startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port, database: 'leash', password: 'faults-test' });
  let database = await start();
  await deployMigrations({ databaseUrl: database.url });
  const server = await spawnServer({ DATABASE_URL: database.url, LEASH_TOKEN_CLIENT_LIMIT: '1000000', LEASH_TOKEN_IP_LIMIT: '1000000' });
  const base = server.baseURL;
  try {
    const client = await (
      await fetch(`${base}/oauth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ client_name: 'Fault agent', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'datasets:read' }),
      })
    ).json();
    const auth = basic(client.client_id, client.client_secret);
    const form = { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' };
    const issue = () => fetch(`${base}/oauth/token`, { method: 'POST', headers: form, body: 'grant_type=client_credentials&scope=datasets%3Aread' });
    const cached = (await (await issue()).json()).access_token as string;
    const read = (token: string) => fetch(`${base}/api/v1/datasets`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await read(cached)).status).toBe(200); // now in the server's cache

    type Seen = { kind: 'token' | 'read'; status: number; body: Record<string, unknown>; requestId: string | null; retryAfter: string | null };
    const seen: Seen[] = [];
    let running = true;
    const traffic = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (running) {
          for (const kind of ['token', 'read'] as const) {
            const response = await (kind === 'token' ? issue() : read(cached)).catch(() => null);
            if (!response) continue;
            seen.push({
              kind,
              status: response.status,
              body: await response.json().catch(() => ({})),
              requestId: response.headers.get('x-request-id'),
              retryAfter: response.headers.get('retry-after'),
            });
          }
        }
      }),
    );
    await expect.poll(() => seen.filter((s) => s.status === 200).length).toBeGreaterThan(20);
    await database.stop();
    await expect.poll(() => seen.filter((s) => s.status === 503).length, { timeout: 20_000 }).toBeGreaterThan(10);

    // While it is down, the token that was cached is not honoured (the cache turns off with its connection).
    const whileDown = await read(cached);
    expect(whileDown.status).toBe(503);
    expect(await whileDown.json()).toMatchObject({ error: 'temporarily_unavailable' });
    const introspected = await fetch(`${base}/oauth/introspect`, { method: 'POST', headers: form, body: `token=${cached}` });
    expect(introspected.status).toBe(503);

    database = await start();
    const restartedAt = seen.length;
    await expect.poll(() => seen.slice(restartedAt).filter((s) => s.status === 200 && s.kind === 'token').length, { timeout: 30_000 }).toBeGreaterThan(3);
    await expect.poll(() => seen.slice(restartedAt).filter((s) => s.status === 200 && s.kind === 'read').length, { timeout: 30_000 }).toBeGreaterThan(3);
    running = false;
    await traffic;

    // Only intended answers: 200, or 503 temporarily_unavailable with Retry-After (RFC 9110 §15.6.4).
    for (const s of seen) {
      expect([200, 503], JSON.stringify(s)).toContain(s.status);
      if (s.status === 503) {
        expect(s.body.error).toBe('temporarily_unavailable');
        expect(s.retryAfter).toBe('5');
      }
    }
    // Every 200 left its durable record.
    const sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    try {
      const tokens = seen.filter((s) => s.kind === 'token' && s.status === 200).map((s) => crypto.createHash('sha256').update(String(s.body.access_token)).digest('hex'));
      const stored = await sql.query(`SELECT count(DISTINCT t.id)::int AS n FROM tokens t JOIN audit_events e ON e.token_id = t.id AND e.action = 'token.issue' WHERE t.token_hash = ANY($1)`, [
        tokens,
      ]);
      expect(stored.rows[0].n).toBe(new Set(tokens).size);
      const requestIds = seen.filter((s) => s.kind === 'read' && s.status === 200).map((s) => s.requestId);
      const audited = await sql.query("SELECT count(*)::int AS n FROM audit_events WHERE request_id = ANY($1) AND decision = 'ALLOW'", [requestIds]);
      expect(audited.rows[0].n).toBe(requestIds.length);
    } finally {
      await sql.end();
    }
  } finally {
    await server.stop();
    await database.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the server restarts in the middle of an authorization: the pending request and the session survive, the flow completes', async ({ playwright }) => {
  test.setTimeout(120_000);
  const server = await serverWithOwnDatabase('restart');
  const http = await playwright.request.newContext({ baseURL: server.baseURL });
  try {
    const user = await createAccount(http, server.baseURL, { email: uniqueEmail('restart'), password: 'a-long-enough-passphrase' });
    expect((await signInOverHttp(http, server.baseURL, user as { email: string; password: string }, uniqueIp())).error).toBeNull();
    const client = await registerPublicAgent(http);
    const { verifier, challenge } = pkce();
    const start = await http.get(
      authorizeUrl(server.baseURL, {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: AGENT_CALLBACK,
        scope: 'datasets:read',
        state: 'st',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      { maxRedirects: 0 },
    );
    expect(start.status()).toBe(303);
    const consentPath = new URL(start.headers()['location']!).pathname;
    const consentToken = /name="consent_token" value="([^"]+)"/.exec(await (await http.get(consentPath)).text())?.[1];
    expect(consentToken).toBeTruthy();

    // The process goes away between the consent screen and the user's click.
    await server.restart();

    const answer = await http.post(`/api/consent${consentPath.slice('/consent'.length)}`, {
      headers: { Origin: server.baseURL },
      data: { decision: 'allow', scopes: ['datasets:read'], remember: false, consent_token: consentToken },
    });
    expect(answer.status(), await answer.text()).toBe(200);
    const back = new URL((await answer.json()).redirect_to);
    expect(back.searchParams.get('state')).toBe('st');
    const tokens = await exchangeCode(http, client, back.searchParams.get('code')!, verifier);
    expect(tokens.status()).toBe(200);
    const { access_token } = await tokens.json();
    expect((await http.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${access_token}` } })).status()).toBe(200);
  } finally {
    await http.dispose();
    await server.stop();
  }
});

test('the server restarts while an agent polls for a CIBA approval: polling carries on, the approval yields the token once', async ({ playwright }) => {
  test.setTimeout(120_000);
  const CIBA = 'urn:openid:params:grant-type:ciba';
  const server = await serverWithOwnDatabase('ciba-restart');
  const http = await playwright.request.newContext({ baseURL: server.baseURL });
  const sql = new pg.Client({ connectionString: server.databaseUrl });
  await sql.connect();
  try {
    const user = await createAccount(http, server.baseURL, { email: uniqueEmail('ciba-restart'), password: 'a-long-enough-passphrase' });
    expect((await signInOverHttp(http, server.baseURL, user as { email: string; password: string }, uniqueIp())).error).toBeNull();
    const headers = { Origin: server.baseURL };
    const { secret } = await (await http.post('/api/account/totp/start', { headers })).json();
    expect((await http.post('/api/account/totp/confirm', { headers, data: { code: await generate({ secret }) } })).status()).toBe(200);
    const agent = await registerPublicAgent(http, { grant_types: ['authorization_code', CIBA], scope: 'datasets:read' });
    const { verifier, challenge } = pkce();
    const back = await authorizeOverHttp(http, server.baseURL, {
      response_type: 'code',
      client_id: agent.client_id,
      redirect_uri: AGENT_CALLBACK,
      scope: 'datasets:read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect((await exchangeCode(http, agent, back.searchParams.get('code')!, verifier)).status()).toBe(200);
    const userId = (await sql.query('SELECT id FROM users WHERE email = $1', [user.email])).rows[0].id;

    const asked = await http.post('/oauth/bc-authorize', { form: { client_id: agent.client_id, login_hint: userId, scope: 'datasets:read', binding_message: 'Nightly export' } });
    expect(asked.status(), await asked.text()).toBe(200);
    const { auth_req_id } = await asked.json();
    const poll = async () => {
      // Polls must be spaced by the interval (slow_down otherwise, CIBA Core §11): let it pass.
      await sql.query("UPDATE approval_requests SET last_polled_at = now() - interval '1 minute' WHERE last_polled_at IS NOT NULL");
      return http.post('/oauth/token', { form: { grant_type: CIBA, client_id: agent.client_id, auth_req_id } });
    };
    expect((await (await poll()).json()).error).toBe('authorization_pending');

    await server.restart();
    expect((await (await poll()).json()).error).toBe('authorization_pending');
    const id = (await sql.query("SELECT id FROM approval_requests WHERE status = 'PENDING'")).rows[0].id;
    // The second factor, for this request (lib/approvals/decide-approval.ts).
    const approved = await http.post(`/api/account/approvals/${id}/approve`, { headers, data: { code: await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }) } });
    expect(approved.status(), await approved.text()).toBe(200);
    const granted = await poll();
    expect(granted.status(), await granted.text()).toBe(200);
    expect((await granted.json()).access_token).toMatch(/^lsh_at_/);
    expect((await (await poll()).json()).error).toBe('invalid_grant'); // handed out once
  } finally {
    await sql.end();
    await http.dispose();
    await server.stop();
  }
});

test.describe('clock skew (RFC 9449 §11.1, RFC 7523 §3)', () => {
  test('a DPoP proof 45 s off either way is accepted; 90 s off is refused', async ({ request, baseURL }) => {
    const key = (await jose.generateKeyPair('ES256', { extractable: true })) as CryptoKeyPair;
    const jwk = await jose.exportJWK(key.publicKey);
    const url = `${baseURL}/oauth/token`;
    const proof = (iat: number, nonce?: string) =>
      new jose.SignJWT({ htm: 'POST', htu: url, jti: crypto.randomUUID(), iat, ...(nonce ? { nonce } : {}) }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).sign(key.privateKey);
    const now = () => Math.floor(Date.now() / 1000);
    const client = await registerMachineClient(request);
    const ask = async (iat: number, nonce?: string) =>
      request.post('/oauth/token', { headers: { Authorization: basic(client.client_id, client.client_secret!), DPoP: await proof(iat, nonce) }, form: { grant_type: 'client_credentials' } });
    const nonce = (await ask(now())).headers()['dpop-nonce']!;
    expect((await ask(now() + 45, nonce)).status()).toBe(200);
    expect((await ask(now() - 45, nonce)).status()).toBe(200);
    for (const skew of [90, -90]) {
      const refused = await ask(now() + skew, nonce);
      expect(refused.status()).toBe(400);
      expect(await refused.json()).toEqual({ error: 'invalid_dpop_proof', error_description: 'The proof is too old or from the future (iat).' });
    }
  });

  test('a client assertion that expired 3 s ago is within tolerance; 30 s ago it is not', async ({ request, baseURL }) => {
    const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const client = await registerClient(request, {
      client_name: 'Skewed agent',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] },
      scope: 'reports:read',
    });
    const now = Math.floor(Date.now() / 1000);
    const assertion = (exp: number) =>
      new jose.SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(client.client_id)
        .setSubject(client.client_id)
        .setAudience(`${baseURL}/oauth/token`)
        .setIssuedAt(exp - 60)
        .setExpirationTime(exp)
        .setJti(crypto.randomUUID())
        .sign(privateKey);
    const ask = async (exp: number) =>
      request.post('/oauth/token', {
        form: { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await assertion(exp) },
      });
    expect((await ask(now - 3)).status()).toBe(200);
    const late = await ask(now - 30);
    expect(late.status()).toBe(401);
    expect((await late.json()).error).toBe('invalid_client');
  });
});
