// Faults of the server process (issue 19 §4), each against a server with a database of its own
// (e2e/support/own-database.ts):
// - the process is killed outright (SIGKILL: no shutdown, no flush; a power cut, the OOM killer)
//   while agents loop on refresh and token exchange;
// - its wall clock jumps an hour back or ahead.
// (A clean restart mid-consent and mid-CIBA: faults.spec.ts; the database's faults: faults-database.spec.ts.)
import crypto from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, request as playwrightRequest, test } from '@playwright/test';
import { delegatedToken, setPolicy } from '../support/delegation';
import { expectDatabaseWhole } from '../support/database-invariants';
import { serverWithOwnDatabase } from '../support/own-database';
import { actorAgent, ACCESS, TOKEN_EXCHANGE } from '../support/token-exchange';
import { basic, registerMachineClient } from '../support/oauth';

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

test('SIGKILL while agents loop on refresh and token exchange: no refresh token has two live successors, every answered token has its row, the restart serves at once', async () => {
  test.setTimeout(150_000);
  const server = await serverWithOwnDatabase('sigkill', { LEASH_TOKEN_CLIENT_LIMIT: '1000000', LEASH_TOKEN_IP_LIMIT: '1000000', LEASH_SIGNUP_IP_LIMIT: '100' });
  const http = await playwrightRequest.newContext({ baseURL: server.baseURL });
  try {
    const delegation = async (scope: string) => {
      const context = await playwrightRequest.newContext({ baseURL: server.baseURL });
      try {
        return await delegatedToken(context, server.baseURL, scope, {}, { db: server.sql });
      } finally {
        await context.dispose();
      }
    };
    // Three agents rotating their refresh tokens; three sub-agents exchanging a user's token (RFC 8693).
    const families = await Promise.all(Array.from({ length: 3 }, () => delegation('datasets:read offline_access')));
    const latest = families.map((f) => f.refreshToken!);
    const subject = await delegation('datasets:read reports:read');
    const actors = await Promise.all(Array.from({ length: 3 }, (_, i) => actorAgent(http, `Sub-agent ${i}`)));
    await setPolicy(subject, { mayAct: actors.map((a) => a.client.client_id) }, server.sql);

    const refresh = (i: number) =>
      fetch(`${server.baseURL}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', client_id: families[i]!.clientId, refresh_token: latest[i]! }) });
    const exchange = (i: number) =>
      fetch(`${server.baseURL}/oauth/token`, {
        method: 'POST',
        headers: { Authorization: basic(actors[i]!.client.client_id, actors[i]!.client.client_secret!) },
        body: new URLSearchParams({
          grant_type: TOKEN_EXCHANGE,
          subject_token: subject.token,
          subject_token_type: ACCESS,
          actor_token: actors[i]!.token,
          actor_token_type: ACCESS,
          scope: 'reports:read',
        }),
      });

    const answered = { refreshed: [] as string[], exchanged: [] as string[], other: [] as string[] };
    let running = true;
    const loops = Promise.all([
      ...families.map(async (_, i) => {
        while (running) {
          const response = await refresh(i).catch(() => null); // the kill cuts requests in flight
          if (!response) continue;
          if (response.status !== 200) {
            answered.other.push(`refresh ${response.status} ${await response.text()}`);
            continue;
          }
          const body = await response.json();
          latest[i] = body.refresh_token;
          answered.refreshed.push(body.access_token, body.refresh_token);
        }
      }),
      ...actors.map(async (_, i) => {
        while (running) {
          const response = await exchange(i).catch(() => null);
          if (!response) continue;
          if (response.status !== 200) answered.other.push(`exchange ${response.status} ${await response.text()}`);
          else answered.exchanged.push((await response.json()).access_token);
        }
      }),
    ]);
    await expect.poll(() => answered.refreshed.length / 2 > 30 && answered.exchanged.length > 30, { timeout: 30_000 }).toBe(true);
    await server.process().kill('SIGKILL');
    running = false;
    await loops;
    expect(answered.other).toEqual([]);

    // What the database holds after the kill: every token an agent was given is there with its
    // issuance record; nothing was half-written; no family forked.
    const given = [...answered.refreshed, ...answered.exchanged].map(sha256);
    const stored = await server.sql.query(
      `SELECT count(*)::int AS n FROM tokens t WHERE t.token_hash = ANY($1) AND EXISTS (SELECT 1 FROM audit_events e WHERE e.token_id = t.id AND e.action = 'token.issue')`,
      [given],
    );
    expect(stored.rows[0].n).toBe(new Set(given).size);
    await expectDatabaseWhole(server.sql);

    await server.restart();
    // Each agent goes on with the last refresh token it received. If the request the kill cut had
    // committed its rotation, that token is already used: presenting it is a replay, refused, and
    // the whole family revoked (RFC 9700 §4.14.2), never a second live successor. Otherwise it rotates.
    for (const [i, family] of families.entries()) {
      const response = await refresh(i);
      const familyId = (await server.sql.query('SELECT family_id FROM tokens WHERE token_hash = $1', [sha256(latest[i]!)])).rows[0].family_id;
      const live = (await server.sql.query("SELECT count(*)::int AS n FROM tokens WHERE family_id = $1 AND kind = 'REFRESH' AND revoked_at IS NULL AND used_at IS NULL", [familyId])).rows[0].n;
      if (response.status === 200) {
        expect(live, family.clientId).toBe(1);
      } else {
        expect(response.status).toBe(400);
        expect((await response.json()).error).toBe('invalid_grant');
        expect(live, family.clientId).toBe(0);
      }
    }
    // Token exchange serves at once after the restart.
    expect((await exchange(0)).status).toBe(200);
    await expectDatabaseWhole(server.sql);
  } finally {
    await http.dispose();
    await server.stop();
  }
});

// What this proves, exactly: a test-only preload (e2e/support/clock-jump.mjs) offsets Date.now() and
// new Date() in the server process only, on a signal, as a wall-clock step does (its monotonic
// clock keeps running, as a real step leaves it); the database's clock (the one every instance
// shares) and this test's stay right. Leash must notice (lib/clock/trusted-clock.ts) and refuse to
// decide on that clock: a token that expired a minute ago is not honoured on a clock an hour
// behind (without the check, the server would take it for valid: its expiry is compared with the
// host's clock), no token is issued on a clock an hour ahead (it would live an hour longer than its
// lifetime), and service resumes when the clock is right again. A server started on a wrong clock
// (no jump to see) is caught by comparing with the database's clock. It does not cover the
// database's own clock jumping: that moves the reference itself, for every instance alike.
test('the server clock jumps an hour back, then ahead: nothing expired becomes valid, nothing is issued to live longer, service resumes when the clock is right', async () => {
  test.setTimeout(150_000);
  const preload = pathToFileURL(path.resolve(import.meta.dirname, '..', 'support', 'clock-jump.mjs')).href;
  const HOUR = 3_600_000;
  const server = await serverWithOwnDatabase('clock', {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${preload}`.trim(),
    LEASH_TEST_CLOCK_JUMPS: `0,${-HOUR},0,${HOUR},0`,
  });
  const http = await playwrightRequest.newContext({ baseURL: server.baseURL });
  const jump = async (expected: number) => {
    const seen = () =>
      server
        .process()
        .stderr()
        .match(/\[clock-jump\] [-+]\d+/g) ?? [];
    const before = seen().length;
    process.kill(server.process().pid, 'SIGUSR2');
    await expect.poll(() => seen().length).toBeGreaterThan(before);
    expect(seen().at(-1)).toBe(`[clock-jump] ${expected >= 0 ? '+' : ''}${expected}`);
  };
  try {
    const client = await registerMachineClient(http);
    const auth = { Authorization: basic(client.client_id, client.client_secret!) };
    const issue = () => http.post('/oauth/token', { headers: auth, form: { grant_type: 'client_credentials', scope: 'datasets:read' } });
    const read = (token: string) => http.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${token}` } });
    const introspect = (token: string) => http.post('/oauth/introspect', { headers: auth, form: { token } });
    const live = (await (await issue()).json()).access_token as string;
    const expired = (await (await issue()).json()).access_token as string;
    // Expired a minute ago by the database's clock (never used, so in no cache).
    await server.sql.query("UPDATE tokens SET expires_at = now() - interval '1 minute' WHERE token_hash = $1", [sha256(expired)]);
    expect((await read(live)).status()).toBe(200);
    expect((await read(expired)).status()).toBe(401);
    const unavailable = async (response: Awaited<ReturnType<typeof issue>>) => {
      expect(response.status(), await response.text()).toBe(503);
      expect(response.headers()['retry-after']).toBe('5');
      expect((await response.json()).error).toBe('temporarily_unavailable');
    };

    // An hour back: the expired token is not honoured (nor reported active), and nothing is decided.
    await jump(-HOUR);
    await unavailable(await read(expired));
    await unavailable(await introspect(expired));
    await unavailable(await read(live));
    await unavailable(await issue());

    await jump(0);
    expect((await read(live)).status()).toBe(200);
    expect((await read(expired)).status()).toBe(401);
    expect((await (await introspect(expired)).json()).active).toBe(false);

    // An hour ahead: no token is issued (its expiry would be an hour late), none is decided on.
    await jump(HOUR);
    await unavailable(await issue());
    await unavailable(await read(live));

    await jump(0);
    const issued = await issue();
    expect(issued.status()).toBe(200);
    const { expires_in } = await issued.json();
    // No token in the database lives longer than its lifetime, by the database's clock.
    const tooLong = await server.sql.query("SELECT count(*)::int AS n FROM tokens WHERE kind = 'ACCESS' AND expires_at > now() + make_interval(secs => $1 + 5)", [expires_in]);
    expect(tooLong.rows[0].n).toBe(0);

    // A server that starts on a clock an hour behind (no jump to see) is caught against the database's.
    await server.restart({ LEASH_TEST_CLOCK_JUMPS: String(-HOUR) });
    await unavailable(await read(expired));
    await unavailable(await issue());
    await server.restart({ LEASH_TEST_CLOCK_JUMPS: '0' });
    expect((await read(live)).status()).toBe(200);
    expect((await read(expired)).status()).toBe(401);
  } finally {
    await http.dispose();
    await server.stop();
  }
});
