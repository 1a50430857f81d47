// A bounded load test (issue 7): mixed traffic from several agents against a server of its own, on
// loopback, stopping by itself. Short in `npm test` (LEASH_LOAD_SECONDS, default 20); the longer
// run is `LEASH_LOAD_SECONDS=300 npm test -- e2e e2e/api/load.spec.ts --project=api`.
// Every answer must be one the scenario intends (no 5xx, no network error): the only refusals
// are the intended ones (429 for the agent that floods the token endpoint and the agent over its
// policy's rate limit, 403 for the under-scoped agent, 401 for revoked tokens). The server's
// resident memory stays bounded (and, in runs of two minutes or more, levels off).
import fs from 'node:fs';
import { expect, request as playwrightRequest, test } from '@playwright/test';
import { spawnServer } from '../support/spawn-server';
import { basic, clientCredentialsToken, registerMachineClient, type RegisteredClient } from '../support/oauth';
import { delegatedToken, setPolicy } from '../support/delegation';

const SECONDS = Number(process.env.LEASH_LOAD_SECONDS ?? 20);
const WORKERS = 16;
const FLOOD_LIMIT = 400; // the flooder's token requests per minute
const LIMITED_PER_MINUTE = 30; // the limited reader's policy

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

test('mixed traffic for a bounded time: only intended refusals, and bounded memory', async () => {
  test.setTimeout((SECONDS + 90) * 1000);
  const server = await spawnServer({
    LEASH_TRUSTED_PROXIES: '1',
    LEASH_TOKEN_CLIENT_LIMIT: String(FLOOD_LIMIT),
    LEASH_TOKEN_IP_LIMIT: '1000000',
    LEASH_USER_RATE_LIMIT: '1000000',
    LEASH_REGISTER_IP_LIMIT: '1000',
    LEASH_SIGNIN_IP_LIMIT: '1000',
    LEASH_SIGNUP_IP_LIMIT: '1000',
  });
  const http = await playwrightRequest.newContext({ baseURL: server.baseURL });
  const base = server.baseURL;
  try {
    // Ordinary agents stay under the per-client token limit by being many; one floods it.
    const machines = await Promise.all(Array.from({ length: 64 }, () => registerMachineClient(http)));
    const machine = machines[0]!;
    const anyMachine = () => machines[Math.floor(Math.random() * machines.length)]!;
    const flooder = await registerMachineClient(http);
    const reader = await delegatedToken(http, base, 'datasets:read reports:read');
    await setPolicy(reader, { rateLimit: { perMinute: 100_000, perDay: 10_000_000 } });
    const limited = await delegatedToken(await playwrightRequest.newContext({ baseURL: base }), base, 'datasets:read');
    await setPolicy(limited, { rateLimit: { perMinute: LIMITED_PER_MINUTE, perDay: 100_000 } });
    const underScoped = await clientCredentialsToken(http, machine, { scope: 'datasets:read' });

    const counts = new Map<string, number>();
    const unexpected: string[] = [];
    const tally = (op: string, status: number, allowed: number[]) => {
      counts.set(`${op} ${status}`, (counts.get(`${op} ${status}`) ?? 0) + 1);
      if (!allowed.includes(status)) unexpected.push(`${op} → ${status}`);
    };
    const post = (path: string, client: RegisteredClient, body: Record<string, string>) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { Authorization: basic(client.client_id, client.client_secret!), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      });
    const get = (path: string, token: string) => fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    const flood = async () => tally('flood', (await post('/oauth/token', flooder, { grant_type: 'client_credentials' })).status, [200, 429]);
    const limitedRead = async () => tally('limited read', (await get('/api/v1/datasets', limited.token)).status, [200, 429]);

    const operations: [weight: number, run: () => Promise<void>][] = [
      [30, async () => tally('read', (await get('/api/v1/datasets', reader.token)).status, [200])],
      [10, limitedRead],
      [10, async () => tally('token', (await post('/oauth/token', anyMachine(), { grant_type: 'client_credentials', scope: 'datasets:read' })).status, [200])],
      [15, flood],
      [10, async () => tally('introspect', (await post('/oauth/introspect', machine, { token: underScoped })).status, [200])],
      [10, async () => tally('under-scoped', (await get('/api/v1/reports', underScoped)).status, [403])],
      [
        5,
        async () => {
          const owner = anyMachine();
          const issued = await post('/oauth/token', owner, { grant_type: 'client_credentials', scope: 'datasets:read' });
          tally('revoke: issue', issued.status, [200]);
          if (issued.status !== 200) return;
          const { access_token } = await issued.json();
          tally('revoke', (await post('/oauth/revoke', owner, { token: access_token })).status, [200]);
          tally('revoked read', (await get('/api/v1/datasets', access_token)).status, [401]);
        },
      ],
    ];
    const total = operations.reduce((n, [w]) => n + w, 0);
    const pick = () => {
      let r = Math.random() * total;
      for (const [weight, run] of operations) if ((r -= weight) < 0) return run;
      return operations[0]![1];
    };

    const memory: number[] = [];
    const sampler = setInterval(() => memory.push(rssMb(server.pid)), 500);
    const deadline = Date.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (Date.now() < deadline) {
          try {
            await pick()();
          } catch (error) {
            unexpected.push(`network: ${(error as Error).message}`);
          }
        }
      }),
    );
    // The limits are crossed by count, not by time: a slow machine's timed phase may send fewer
    // requests than a limit. Drive each limited agent on, 16 at a time, until it is refused; its
    // fixed one-minute window may roll over once on the way, so at most twice the limit is needed.
    const driveUntilRefused = async (op: string, run: () => Promise<void>, limit: number) => {
      for (let sent = 0; !counts.get(`${op} 429`) && sent <= 2 * limit + WORKERS; sent += WORKERS) {
        await Promise.all(Array.from({ length: WORKERS }, () => run().catch((e) => void unexpected.push(`network: ${(e as Error).message}`))));
      }
    };
    await driveUntilRefused('flood', flood, FLOOD_LIMIT);
    await driveUntilRefused('limited read', limitedRead, LIMITED_PER_MINUTE);
    clearInterval(sampler);

    const summary = [...counts]
      .sort()
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ');
    console.log(`[load] ${SECONDS} s: ${summary}; RSS MB: ${memory.map((m) => m.toFixed(0)).join(' ')}`);
    expect(unexpected.slice(0, 10)).toEqual([]);
    // Each kind of traffic ran, and the intended refusals happened.
    for (const op of ['read 200', 'token 200', 'introspect 200', 'under-scoped 403', 'revoked read 401', 'flood 429', 'limited read 429']) {
      expect(counts.get(op) ?? 0, op).toBeGreaterThan(0);
    }
    // Memory is bounded: V8 grows its heap for the first minute or so, then levels off (the caches
    // are bounded). Short runs check the ceiling; runs of two minutes or more also check that the
    // last quarter's peak stays within 128 MB of the second quarter's.
    expect(Math.max(...memory)).toBeLessThan(1536);
    if (SECONDS >= 120) {
      const quarter = Math.floor(memory.length / 4);
      expect(Math.max(...memory.slice(3 * quarter)) - Math.max(...memory.slice(quarter, 2 * quarter))).toBeLessThan(128);
    }
  } finally {
    await http.dispose();
    await server.stop();
  }
});
