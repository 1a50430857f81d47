// Anomaly alerts (issue 7, capability 7), each rule driven through real HTTP: calls outside the
// allowed hours, the first use of a high-risk scope, token floods, failed step-ups (denied-call
// bursts and refresh-token reuse have their own specs: e2e/browser/alerts.spec.ts and
// oauth-authorization-code.spec.ts). Then the signed webhook, auto-suspension, and the settings'
// validation.
import crypto from 'node:crypto';
import http from 'node:http';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { sameOrigin } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken, setPolicy, type Delegation } from '../support/delegation';
import { postRaw } from '../support/oauth';

async function alertsOf(userId: string, kind: string) {
  const { rows } = await testDb().query('SELECT kind, severity, message, auto_suspended, delivery, agent_id FROM alerts WHERE user_id = $1 AND kind = $2', [userId, kind]);
  return rows;
}

/** A time window that excludes now (UTC), as policy-enforcement.spec.ts builds it. */
function closedWindow() {
  const hour = (new Date().getUTCHours() + 2) % 24;
  const at = `${String(hour).padStart(2, '0')}`;
  return { timeWindows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: `${at}:00`, end: `${at}:30` }] };
}

async function saveAlertSettings(request: APIRequestContext, baseURL: string, body: Record<string, unknown>) {
  return request.put('/api/account/alert-settings', {
    headers: sameOrigin(baseURL),
    data: {
      thresholds: { deniedCalls: { count: 10, windowMinutes: 5 }, tokenFlood: { count: 1, windowMinutes: 10 }, stepUpFailures: { count: 3, windowMinutes: 15 } },
      webhookUrl: null,
      autoSuspend: null,
      ...body,
    },
  });
}

test('a call outside the allowed hours raises one warning (not one per call)', async ({ request, baseURL }) => {
  const agent = await delegatedToken(request, baseURL!, 'datasets:read');
  await setPolicy(agent, closedWindow());
  for (let i = 0; i < 3; i++) expect((await request.get('/api/v1/datasets', { headers: agent.auth })).status()).toBe(403);
  await expect.poll(async () => (await alertsOf(agent.userId, 'outside_time_window')).length).toBe(1);
  expect((await alertsOf(agent.userId, 'outside_time_window'))[0]).toMatchObject({ severity: 'WARNING', agent_id: agent.agentId, auto_suspended: false });
});

test('the first use of a high-risk scope raises one notice, later uses none', async ({ request, baseURL }) => {
  const agent = await delegatedToken(request, baseURL!, 'workflows:trigger');
  await setPolicy(agent, { actions: { 'workflows.trigger': 'allow' } });
  const run = () => request.post('/api/v1/workflows/wf_monthly_close/runs', { headers: agent.auth, data: { parameters: {} } });
  expect((await run()).status()).toBe(201);
  await expect.poll(async () => (await alertsOf(agent.userId, 'first_use:workflows:trigger')).length).toBe(1);
  expect((await run()).status()).toBe(201);
  expect((await alertsOf(agent.userId, 'first_use:workflows:trigger'))[0]).toMatchObject({ severity: 'INFO' });
  await expect.poll(async () => (await testDb().query("SELECT count(*)::int AS n FROM alerts WHERE user_id = $1 AND kind LIKE 'first_use:%'", [agent.userId])).rows[0].n).toBe(1);
});

test('an agent slowed down at the token endpoint raises a token-flood warning for the users it serves', async ({ request, baseURL }) => {
  const agent = await delegatedToken(request, baseURL!, 'datasets:read');
  // The test server allows 10 token requests per client per minute (playwright.config.ts).
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) {
    statuses.push(
      (
        await postRaw(
          request,
          '/oauth/token',
          `grant_type=authorization_code&client_id=${encodeURIComponent(agent.clientId)}&code=nope&code_verifier=${'a'.repeat(43)}&redirect_uri=https%3A%2F%2Fagent.example%2Fcallback`,
        )
      ).status(),
    );
  }
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  const { rows } = await testDb().query("SELECT count(*)::int AS n FROM audit_events WHERE agent_id = $1 AND action = 'token.flood' AND decision = 'DENY'", [agent.agentId]);
  expect(rows[0].n).toBe(statuses.filter((s) => s === 429).length);
  await expect.poll(async () => (await alertsOf(agent.userId, 'token_flood')).length).toBe(1);
});

test('three failed step-ups raise a critical alert for the user', async ({ request, baseURL }) => {
  const agent = await delegatedToken(request, baseURL!, 'datasets:read'); // the request context is signed in as the user
  for (let i = 0; i < 3; i++) {
    const failed = await request.post('/api/account/step-up', { headers: sameOrigin(baseURL), data: { code: '000000' } });
    expect(failed.status()).toBe(400);
  }
  const { rows } = await testDb().query("SELECT count(*)::int AS n FROM audit_events WHERE user_id = $1 AND action = 'step_up.fail'", [agent.userId]);
  expect(rows[0].n).toBe(3);
  await expect.poll(async () => (await alertsOf(agent.userId, 'step_up_failures')).length).toBe(1);
  expect((await alertsOf(agent.userId, 'step_up_failures'))[0]).toMatchObject({ severity: 'CRITICAL', agent_id: null });
});

test('alerts go to the user’s webhook, signed; and auto-suspend stops the agent as the kill switch does', async ({ request, baseURL }) => {
  const port = Number(process.env.LEASH_TEST_WEBHOOK_PORT);
  const received: { body: string; signature: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ body, signature: String(req.headers['leash-signature'] ?? '') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
  try {
    const agent: Delegation = await delegatedToken(request, baseURL!, 'datasets:read');
    const { secret } = await (await request.post('/api/account/alert-settings/webhook-secret', { headers: sameOrigin(baseURL) })).json();
    expect(secret).toMatch(/^whsec_/);
    const saved = await saveAlertSettings(request, baseURL!, { webhookUrl: `http://127.0.0.1:${port}/hook`, autoSuspend: 'WARNING' });
    expect(saved.status(), await saved.text()).toBe(200);
    expect(await saved.json()).toMatchObject({ webhookUrl: `http://127.0.0.1:${port}/hook`, hasWebhookSecret: true, autoSuspend: 'WARNING' });

    await setPolicy(agent, closedWindow());
    expect((await request.get('/api/v1/datasets', { headers: agent.auth })).status()).toBe(403);
    await expect.poll(() => received.length).toBe(1);

    // A receiver checks the signature: HMAC-SHA256 over "<t>.<body>" with the secret, and a recent t.
    const { body, signature } = received[0]!;
    const parts = Object.fromEntries(signature.split(',').map((p) => p.split('=')));
    expect(Math.abs(Date.now() / 1000 - Number(parts.t))).toBeLessThan(300);
    const mac = (text: string) => crypto.createHmac('sha256', secret).update(`${parts.t}.${text}`).digest('hex');
    expect(parts.v1).toBe(mac(body));
    expect(parts.v1).not.toBe(mac(body.replace('outside_time_window', 'outside_time_windoW'))); // tampering shows
    expect(JSON.parse(body)).toMatchObject({ kind: 'outside_time_window', severity: 'WARNING', agent_id: agent.agentId, auto_suspended: true });

    // Suspended like the kill switch: grants suspended, tokens revoked, the next call refused.
    await expect.poll(async () => (await alertsOf(agent.userId, 'outside_time_window'))[0]?.delivery).toBe('delivered (204)');
    expect((await alertsOf(agent.userId, 'outside_time_window'))[0]).toMatchObject({ auto_suspended: true });
    const grants = await testDb().query('SELECT status FROM grants WHERE user_id = $1 AND agent_id = $2', [agent.userId, agent.agentId]);
    expect(grants.rows).toEqual([{ status: 'SUSPENDED' }]);
    const refused = await request.get('/api/v1/datasets', { headers: agent.auth });
    expect(refused.status()).toBe(401);
    const audit = await testDb().query("SELECT count(*)::int AS n FROM audit_events WHERE user_id = $1 AND action = 'alert.auto_suspend'", [agent.userId]);
    expect(audit.rows[0].n).toBe(1);
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
  }
});

test('alert settings are validated, and only for the signed-in user', async ({ request, baseURL, playwright }) => {
  await delegatedToken(request, baseURL!, 'datasets:read');
  for (const webhookUrl of ['http://hooks.example.com/x', 'https://10.0.0.5/x', 'https://169.254.169.254/latest', 'https://localhost/x', 'not a url']) {
    const refused = await saveAlertSettings(request, baseURL!, { webhookUrl });
    expect(refused.status(), webhookUrl).toBe(400);
    expect((await refused.json()).field_errors.webhookUrl).toEqual(['Use an https URL on a public host.']);
  }
  const zero = await saveAlertSettings(request, baseURL!, {
    thresholds: { deniedCalls: { count: 0, windowMinutes: 5 }, tokenFlood: { count: 1, windowMinutes: 10 }, stepUpFailures: { count: 3, windowMinutes: 15 } },
  });
  expect(zero.status()).toBe(400);
  const anonymous = await playwright.request.newContext({ baseURL });
  expect((await anonymous.get('/api/account/alert-settings')).status()).toBe(401);
  expect((await anonymous.get('/api/account/alerts')).status()).toBe(401);
  await anonymous.dispose();
});

test('a storm of refused calls is answered and audited call by call, and raises one alert', async ({ request, baseURL }) => {
  const agent = await delegatedToken(request, baseURL!, 'datasets:read');
  const answers = await Promise.all(Array.from({ length: 200 }, () => fetch(`${baseURL}/api/v1/invoices`, { headers: agent.auth }).then((r) => r.status)));
  expect(answers.filter((s) => s !== 403)).toEqual([]);
  const { rows } = await testDb().query("SELECT count(*)::int AS n FROM audit_events WHERE agent_id = $1 AND action = 'invoices.list' AND decision = 'DENY'", [agent.agentId]);
  expect(rows[0].n).toBe(200);
  await expect.poll(async () => (await alertsOf(agent.userId, 'denied_calls')).length).toBe(1);
});
