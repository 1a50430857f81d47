// Metrics an operator can scrape (issue 19 §3): real traffic against a server of its own (so every
// count is this test's), then /metrics says what happened, by the right amounts and labels: tokens
// issued by grant, calls by decision, the policy's outcomes, an approval request, revocations (as
// many as the database revoked), a refresh-token reuse and its alert, requests per route family.
// And the endpoint stays closed: on its own listener (127.0.0.1), or on the public port only with
// its token (401 otherwise, 404 where no token is configured), with no token, secret, id, e-mail
// address or path in what it tells.
import os from 'node:os';
import { expect, request as playwrightRequest, test, type APIRequestContext } from '@playwright/test';
import { findFreePort } from '../../scripts/lib/embedded-pg';
import { testDb } from '../support/db';
import { delegatedToken, setPolicy } from '../support/delegation';
import { basic, clientCredentialsToken, registerMachineClient } from '../support/oauth';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

const METRICS_TOKEN = 'metrics-e2e-token-0123456789abcdefghijklmnop';
const CIBA = 'urn:openid:params:grant-type:ciba';

/** Every sample of the exposition, keyed `name{label="value",...}` with labels sorted. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    const labels = [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}="${l[2]}"`).sort();
    samples.set(`${match[1]}{${labels.join(',')}}`, Number(match[3]));
  }
  return samples;
}

const key = (name: string, labels: Record<string, string> = {}) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',')}}`;

let server: SpawnedServer;
let metricsPort: number;
let api: APIRequestContext;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  metricsPort = await findFreePort();
  // The suite's database and data folder (same keys), a port and a metrics listener of its own.
  server = await spawnServer({
    DATABASE_URL: process.env.DATABASE_URL!,
    LEASH_DATA_DIR: process.env.LEASH_DATA_DIR!,
    LEASH_TRUSTED_PROXIES: '1',
    LEASH_METRICS_PORT: String(metricsPort),
    LEASH_METRICS_TOKEN: METRICS_TOKEN,
  });
  api = await playwrightRequest.newContext({ baseURL: server.baseURL });
});

test.afterAll(async () => {
  await api?.dispose();
  await server?.stop();
});

async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  expect(response.status).toBe(200);
  return parse(await response.text());
}

test('traffic moves the counters by the right amounts, with closed labels and nothing secret', async () => {
  test.setTimeout(90_000);
  const before = await scrape();
  const delta = async (name: string, labels: Record<string, string> = {}) => ((await scrape()).get(key(name, labels)) ?? 0) - (before.get(key(name, labels)) ?? 0);

  // A machine client: two tokens, one allowed read, one refusal for a scope it lacks (not a policy decision).
  const machine = await registerMachineClient(api, { scope: 'datasets:read' });
  const first = await clientCredentialsToken(api, machine);
  const second = await clientCredentialsToken(api, machine);
  expect((await api.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${first}` } })).status()).toBe(200);
  expect((await api.get('/api/v1/invoices', { headers: { Authorization: `Bearer ${second}` } })).status()).toBe(403);

  // A user's agent (authorization code, then a refresh): its policy denies one action, needs approval for another.
  const agent = await delegatedToken(api, server.baseURL, 'datasets:read reports:read offline_access', {}, { registration: { grant_types: ['authorization_code', 'refresh_token', CIBA] } });
  await setPolicy(agent, { actions: { 'datasets.list': 'deny', 'reports.list': 'approval' } });
  const denied = await api.get('/api/v1/datasets', { headers: agent.auth });
  expect(denied.status()).toBe(403);
  expect((await denied.json()).error).toBe('access_denied');
  const needsApproval = await api.get('/api/v1/reports', { headers: agent.auth });
  expect(needsApproval.status()).toBe(403);
  expect((await needsApproval.json()).error).toBe('approval_required');
  // The agent asks (OpenID CIBA §7.1, its own token as login_hint_token).
  const details = JSON.stringify([{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '12.00' }, creditorName: 'Metrics Ltd' }]);
  const asked = await api.post('/oauth/bc-authorize', {
    form: { client_id: agent.clientId, login_hint_token: agent.token, scope: 'payments:write', authorization_details: details, binding_message: 'Pay Metrics Ltd' },
  });
  expect(asked.status(), await asked.text()).toBe(200);
  const refresh = () => api.post('/oauth/token', { form: { grant_type: 'refresh_token', client_id: agent.clientId, refresh_token: agent.refreshToken! } });
  const refreshed = await refresh();
  expect(refreshed.status()).toBe(200);

  // Revocations: one token by its client (RFC 7009), then a family by a replayed refresh token (RFC 9700 §4.14.2).
  expect((await api.post('/oauth/revoke', { headers: { Authorization: basic(machine.client_id, machine.client_secret!) }, form: { token: first } })).status()).toBe(200);
  expect((await api.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${first}` } })).status()).toBe(401);
  const reuse = await refresh();
  expect(reuse.status()).toBe(400);
  expect((await reuse.json()).error).toBe('invalid_grant');

  const machineAgentId = (await testDb().query('SELECT id FROM agents WHERE client_id = $1', [machine.client_id])).rows[0].id as string;
  const { rows } = await testDb().query('SELECT count(*)::int AS n FROM tokens WHERE agent_id = ANY($1) AND revoked_at IS NOT NULL', [[machineAgentId, agent.agentId]]);
  const revokedInDatabase = rows[0].n as number;
  expect(revokedInDatabase).toBeGreaterThanOrEqual(3); // the machine's token; the agent's rotated refresh token and access tokens

  // Counters move when an answer ends and an event is heard: polled until they settle on the right value.
  const settles = (name: string, labels: Record<string, string>, value: number) => expect.poll(() => delta(name, labels), { message: key(name, labels), timeout: 10_000 }).toBe(value);
  await settles('leash_tokens_issued_total', { grant_type: 'client_credentials' }, 2);
  await settles('leash_tokens_issued_total', { grant_type: 'authorization_code' }, 1);
  await settles('leash_tokens_issued_total', { grant_type: 'refresh_token' }, 1);
  await settles('leash_tokens_issued_total', { grant_type: 'ciba' }, 0);
  // Each revocation is counted by what it named; together, exactly what the database revoked.
  const revokedCounted = async () => {
    let sum = 0;
    for (const target of ['token', 'family', 'grant', 'authorization_request', 'agent', 'user']) sum += await delta('leash_tokens_revoked_total', { target });
    return sum;
  };
  await expect.poll(revokedCounted, { timeout: 10_000 }).toBe(revokedInDatabase);
  await settles('leash_refresh_token_reuse_total', {}, 1);
  await settles('leash_alerts_raised_total', { rule: 'refresh_token_reuse', severity: 'critical' }, 1);
  await settles('leash_agent_calls_total', { decision: 'allow' }, 1);
  await settles('leash_agent_calls_total', { decision: 'deny' }, 3); // the scope, the policy, the revoked token
  await settles('leash_agent_calls_total', { decision: 'approval' }, 1);
  await settles('leash_policy_decisions_total', { outcome: 'allow' }, 1);
  await settles('leash_policy_decisions_total', { outcome: 'deny' }, 1);
  await settles('leash_policy_decisions_total', { outcome: 'approval_required' }, 1);
  await settles('leash_approvals_total', { state: 'requested' }, 1);
  await settles('leash_http_requests_total', { family: 'oauth_token', method: 'POST', status: '200' }, 4);
  await settles('leash_http_requests_total', { family: 'oauth_token', method: 'POST', status: '400' }, 1);
  await settles('leash_http_requests_total', { family: 'oauth_revoke', method: 'POST', status: '200' }, 1);
  await settles('leash_http_requests_total', { family: 'oauth_register', method: 'POST', status: '201' }, 2);
  await settles('leash_http_requests_total', { family: 'oauth_bc_authorize', method: 'POST', status: '200' }, 1);
  await settles('leash_http_requests_total', { family: 'api', method: 'GET', status: '200' }, 1);
  await settles('leash_http_requests_total', { family: 'api', method: 'GET', status: '403' }, 3);
  await settles('leash_http_requests_total', { family: 'api', method: 'GET', status: '401' }, 1);
  await settles('leash_http_request_duration_seconds_count', { family: 'oauth_token' }, 5);
  await settles('leash_http_request_duration_seconds_count', { family: 'api' }, 5);

  const after = await scrape();
  // The machinery is watched: the pool, the LISTEN connection, the audit rows' group commit, the cache.
  expect(after.get(key('leash_db_pool_connections', { state: 'total' }))).toBeGreaterThan(0);
  expect(after.get(key('leash_db_pool_connections', { state: 'max' }))).toBe(10);
  expect(after.get(key('leash_db_pool_waiting'))).toBe(0);
  expect(after.get(key('leash_listen_connected', { channel: 'leash_cache' }))).toBe(1);
  expect(after.get(key('leash_group_commit_batch_size_count', { queue: 'audit' }))).toBeGreaterThan(0);
  expect(after.get(key('leash_group_commit_queue_depth', { queue: 'audit' }))).toBe(0);
  expect((after.get(key('leash_cache_lookups_total', { area: 'token', result: 'miss' })) ?? 0) + (after.get(key('leash_cache_lookups_total', { area: 'token', result: 'hit' })) ?? 0)).toBeGreaterThan(
    0,
  );
  expect(after.has(key('nodejs_eventloop_lag_seconds'))).toBe(true);
  expect(after.has(key('process_resident_memory_bytes'))).toBe(true);

  // Nothing secret or identifying, and no raw path, in what a scraper reads.
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const secrets = {
    first,
    second,
    machineSecret: machine.client_secret!,
    machineClient: machine.client_id,
    machineAgentId,
    agentToken: agent.token,
    refreshToken: agent.refreshToken!,
    userId: agent.userId,
    agentId: agent.agentId,
    clientId: agent.clientId,
  };
  for (const [name, value] of Object.entries(secrets)) expect(text.includes(value), name).toBe(false);
  for (const forbidden of ['/api/v1', '/oauth/', 'lsh_', '@example.test', 'Bearer ', 'datasets']) expect(text.includes(forbidden), forbidden).toBe(false);
  // Every label value of Leash's own metrics is a word, never an id or a path.
  for (const sample of after.keys()) {
    if (!sample.startsWith('leash_')) continue;
    for (const [, value] of sample.matchAll(/="([^"]*)"/g)) expect(value, sample).toMatch(/^[A-Za-z0-9_.+-]+$/);
  }
});

test('the public port answers /metrics only with its token: 401 without it or with another, 200 with it', async () => {
  const url = `${server.baseURL}/metrics`;
  const cases: [string, Record<string, string>][] = [
    ['no credentials', {}],
    ['a wrong token', { Authorization: `Bearer ${METRICS_TOKEN}x` }],
    ['a prefix of the token', { Authorization: `Bearer ${METRICS_TOKEN.slice(0, 20)}` }],
    ['the token as Basic credentials', { Authorization: `Basic ${Buffer.from(`metrics:${METRICS_TOKEN}`).toString('base64')}` }],
  ];
  for (const [name, headers] of cases) {
    const refused = await fetch(url, { headers });
    expect(refused.status, name).toBe(401);
    expect(refused.headers.get('www-authenticate'), name).toBe('Bearer realm="leash-metrics"');
    expect(refused.headers.get('cache-control'), name).toBe('no-store');
    expect(await refused.text(), name).not.toContain('leash_');
  }
  // RFC 9110 §11.1: the scheme is case-insensitive.
  for (const scheme of ['Bearer', 'bearer']) {
    const allowed = await fetch(url, { headers: { Authorization: `${scheme} ${METRICS_TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(allowed.headers.get('cache-control')).toBe('no-store');
    expect(await allowed.text()).toMatch(/^# HELP leash_http_requests_total /m);
  }
  const post = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(post.status).toBe(405);
});

test('the metrics listener answers GET /metrics and nothing else, on 127.0.0.1 only', async () => {
  expect((await fetch(`http://127.0.0.1:${metricsPort}/`)).status).toBe(404);
  expect((await fetch(`http://127.0.0.1:${metricsPort}/api/health`)).status).toBe(404);
  expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'POST' })).status).toBe(405);
  // Not bound to the machine's other addresses (when it has any).
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal);
  if (external) await expect(fetch(`http://${external.address}:${metricsPort}/metrics`, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
});

test('where no metrics token is configured (the suite server), the public port has no /metrics', async ({ request }) => {
  for (const headers of [{}, { Authorization: `Bearer ${METRICS_TOKEN}` }] as Record<string, string>[]) {
    const response = await request.get('/metrics', { headers });
    expect(response.status()).toBe(404);
    expect(await response.text()).not.toContain('leash_http_requests_total');
  }
});
