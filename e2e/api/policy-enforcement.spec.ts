// The agent's policy, stored per user and agent, decides each API call at request time: a new
// version applies to the very next request, and every outcome has its standard answer and audit row.
// @see 7774e3f (Per-agent policy with Cedar): the commit whose behaviour these tests guard.
import crypto from 'node:crypto';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { changeSeen, testDb } from '../support/db';
import { delegatedToken, setPolicy } from '../support/delegation';
import { spawnServer } from '../support/spawn-server';

const userAgentToken = (request: APIRequestContext, baseURL: string) => delegatedToken(request, baseURL, 'datasets:read reports:read');

async function audited(requestId: string) {
  const { rows } = await testDb().query('SELECT decision, reason FROM audit_events WHERE request_id = $1', [requestId]);
  return rows[0];
}

test('each policy version decides the next request: deny, time window, step-up, approval, allow', async ({ request, baseURL }) => {
  const { token, userId, agentId } = await userAgentToken(request, baseURL!);
  const call = () => request.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${token}` } });
  expect((await call()).status()).toBe(200);

  await setPolicy({ userId, agentId }, { actions: { 'datasets.list': 'deny' } });
  const denied = await call();
  expect(denied.status()).toBe(403);
  expect(await denied.json()).toEqual({
    error: 'access_denied',
    error_description: "Denied by the agent's policy: the policy denies this agent: list datasets.",
    policy_rule: 'deny-action:datasets.list',
  });
  expect(await audited(denied.headers()['x-request-id']!)).toEqual({
    decision: 'DENY',
    reason: 'policy v1 deny-action:datasets.list: the policy denies this agent: list datasets',
  });

  // A window that excludes now, in the user's time zone (UTC here).
  const hour = new Date().getUTCHours();
  const start = `${String((hour + 2) % 24).padStart(2, '0')}:00`;
  const end = `${String((hour + 2) % 24).padStart(2, '0')}:30`;
  await setPolicy({ userId, agentId }, { timeWindows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start, end }] });
  const outside = await call();
  expect(outside.status()).toBe(403);
  expect((await outside.json()).policy_rule).toBe('time-window');

  await setPolicy({ userId, agentId }, { actions: { 'datasets.list': 'step_up' } });
  const stepUp = await call();
  expect(stepUp.status()).toBe(401);
  expect(stepUp.headers()['www-authenticate']).toContain('error="insufficient_user_authentication"');
  expect(stepUp.headers()['www-authenticate']).toContain('acr_values="urn:leash:acr:mfa"');
  // The scope of the action, as with approval_required: an agent steps up through CIBA for it alone.
  expect(await stepUp.json()).toMatchObject({ error: 'insufficient_user_authentication', acr_values: 'urn:leash:acr:mfa', policy_rule: 'permit:datasets.list', required_scope: 'datasets:read' });
  expect((await audited(stepUp.headers()['x-request-id']!)).decision).toBe('STEP_UP');

  await setPolicy({ userId, agentId }, { actions: { 'datasets.list': 'approval' } });
  const approval = await call();
  expect(approval.status()).toBe(403);
  expect(await approval.json()).toMatchObject({ error: 'approval_required', policy_rule: 'permit:datasets.list', required_scope: 'datasets:read' });
  expect((await audited(approval.headers()['x-request-id']!)).decision).toBe('APPROVAL');

  await setPolicy({ userId, agentId }, { actions: { 'datasets.list': 'notify' } });
  const allowed = await call();
  expect(allowed.status()).toBe(200);
  expect(await audited(allowed.headers()['x-request-id']!)).toEqual({
    decision: 'ALLOW',
    reason: 'policy v5 permit:datasets.list: list datasets is allowed (notify)',
  });
});

test('a stored policy that no longer validates fails closed', async ({ request, baseURL }) => {
  const { token, userId, agentId } = await userAgentToken(request, baseURL!);
  await setPolicy({ userId, agentId }, { ipRanges: ['not-a-range'] });
  const response = await request.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${token}` } });
  expect(response.status()).toBe(503);
  expect((await response.json()).error).toBe('temporarily_unavailable');
  expect(await audited(response.headers()['x-request-id']!)).toEqual({
    decision: 'DENY',
    reason: 'refused: the request could not be decided (failing closed)',
  });
});

test("the policy's rate limit answers 429 with Retry-After and RateLimit headers", async ({ request, baseURL }) => {
  const { token, userId, agentId } = await userAgentToken(request, baseURL!);
  await setPolicy({ userId, agentId }, { rateLimit: { perMinute: 3, perDay: 1000 } });
  const call = () => request.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${token}` } });
  for (let i = 0; i < 3; i++) {
    const ok = await call();
    expect(ok.status()).toBe(200);
    expect(ok.headers()['ratelimit-policy']).toBe('3;w=60');
    expect(ok.headers()['ratelimit']).toMatch(new RegExp(`^limit=3, remaining=${2 - i}, reset=\\d+$`));
  }
  const limited = await call();
  expect(limited.status()).toBe(429);
  expect(Number(limited.headers()['retry-after'])).toBeGreaterThan(0);
  expect(limited.headers()['ratelimit']).toMatch(/^limit=3, remaining=0, reset=\d+$/);
  expect(await limited.json()).toEqual({ error: 'rate_limited', error_description: 'Slow down: the rate limit of 3 calls per minute is reached.' });
  expect(await audited(limited.headers()['x-request-id']!)).toEqual({ decision: 'DENY', reason: 'policy v1: rate limit of 3 calls per minute' });
});

test('the rate limit holds across two instances: together they admit exactly the limit', async ({ request, baseURL }) => {
  test.setTimeout(120_000);
  const { token, userId, agentId } = await userAgentToken(request, baseURL!);
  await setPolicy({ userId, agentId }, { rateLimit: { perMinute: 20, perDay: 1000 } });
  // A second instance on the same database and issuer (lib/resource/agent-rate-limit.ts: shares leased from PostgreSQL).
  const second = await spawnServer({ DATABASE_URL: process.env.DATABASE_URL!, LEASH_DATA_DIR: process.env.LEASH_DATA_DIR! });
  try {
    // A new calendar minute in the middle would open a new window: start early in one.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      // Both instances at once, twice per round.
      const answers = await Promise.all([baseURL!, second.baseURL].map((url) => fetch(`${url}/api/v1/datasets`, { headers: { Authorization: `Bearer ${token}` } })));
      for (const answer of answers) {
        statuses.push(answer.status);
        await answer.body?.cancel();
      }
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    const { rows } = await testDb().query("SELECT count(*)::int AS n FROM audit_events WHERE agent_id = $1 AND decision = 'DENY' AND reason LIKE '%rate limit of 20 calls per minute'", [agentId]);
    expect(rows[0].n).toBe(10);
  } finally {
    await second.stop();
  }
});

test("the Agent-Intent header is kept as the user's privacy setting says", async ({ request, baseURL }) => {
  const { token, userId } = await userAgentToken(request, baseURL!);
  const intent = encodeURIComponent('Find last quarter’s revenue for the board deck');
  const sha = `sha256:${crypto.createHash('sha256').update(intent).digest('hex')}`;
  const call = async () => {
    const response = await request.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${token}`, 'Agent-Intent': intent } });
    expect(response.status()).toBe(200);
    const { rows } = await testDb().query(
      `SELECT e.intent, t.text, round(extract(epoch FROM t.purge_after - e.created_at) / 86400)::int AS kept_days
         FROM audit_events e LEFT JOIN audit_intent_texts t ON t.event_id = e.id WHERE e.request_id = $1`,
      [response.headers()['x-request-id']],
    );
    return rows[0] as { intent: string | null; text: string | null; kept_days: number | null };
  };
  expect(await call()).toEqual({ intent: sha, text: null, kept_days: null }); // the default: provable, unreadable
  await changeSeen("UPDATE users SET intent_storage = 'FULL', intent_retention_days = 7 WHERE id = $1 RETURNING id AS cache_key", [userId]);
  // The log row keeps the hash (so the chain survives the purge); the text is kept for 7 days.
  // Made behind the app's back (as by another instance): applied once the app hears of it.
  await expect.poll(call).toEqual({ intent: sha, text: intent, kept_days: 7 });
  await changeSeen("UPDATE users SET intent_storage = 'OFF' WHERE id = $1 RETURNING id AS cache_key", [userId]);
  await expect.poll(call).toEqual({ intent: null, text: null, kept_days: null });
});
