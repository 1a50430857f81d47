// Approvals reach the person (issue 17): an agent's CIBA request is sent by email (a real SMTP
// server on loopback reads it) and by Web Push (a push service on loopback checks VAPID and
// decrypts the message with the subscription's keys, RFC 8291), each recorded on the request and
// audited; the link opens the request and approves nothing by itself. Channel choices, quiet hours
// and the reminder follow the user's settings; the clock is moved by moving `expires_at` in the
// database. After expiry the agent's poll answers expired_token and the audit says so. The server
// has a database of its own, so its approval clock is the only one that sees these requests.
import { expect, request as playwrightRequest, test, type APIRequestContext } from '@playwright/test';
import { sameOrigin } from '../support/accounts';
import { CIBA } from '../support/approvals';
import { delegatedToken, type Delegation } from '../support/delegation';
import { serverWithOwnDatabase, type OwnDatabaseServer } from '../support/own-database';
import { startPushService, type BrowserSubscription, type PushService } from '../support/push-service';
import { startSmtpInbox, type SmtpInbox } from '../support/smtp-inbox';

test.describe.configure({ mode: 'serial', timeout: 90_000 });

const DETAILS = JSON.stringify([{ type: 'payment_initiation', instructedAmount: { currency: 'USD', amount: '1250.00' }, creditorName: 'ACME Ltd' }]);

let server: OwnDatabaseServer;
let smtp: SmtpInbox;
let push: PushService;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  smtp = await startSmtpInbox();
  push = await startPushService();
  server = await serverWithOwnDatabase('notify', { LEASH_SMTP_URL: smtp.url, LEASH_PUSH_ALLOWLIST: `127.0.0.1:${push.port}`, LEASH_MAIL_FROM: 'Leash <leash@example.test>' });
});

test.afterAll(async () => {
  await server?.stop();
  await smtp?.close();
  await push?.close();
});

type Person = { api: APIRequestContext; agent: Delegation; email: string; subscription: BrowserSubscription };

/** A signed-in person with a CIBA-capable agent and one subscribed "phone". */
async function person(agentName: string): Promise<Person> {
  const api = await playwrightRequest.newContext({ baseURL: server.baseURL });
  const agent = await delegatedToken(api, server.baseURL, 'payments:write', {}, { agentName, registration: { grant_types: ['authorization_code', CIBA], scope: 'payments:write' }, db: server.sql });
  const email = (await server.sql.query('SELECT email FROM users WHERE id = $1', [agent.userId])).rows[0].email as string;
  const settings = await (await api.get('/api/account/notifications')).json();
  const subscription = push.subscribe(settings.vapidPublicKey);
  const added = await api.post('/api/account/push-subscriptions', {
    headers: { ...sameOrigin(server.baseURL), 'User-Agent': 'Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile' },
    data: subscription,
  });
  expect(added.status(), await added.text()).toBe(200);
  return { api, agent, email, subscription };
}

async function ask(p: Person, bindingMessage = 'Pay invoice INV-2026-0142') {
  const asked = await p.api.post('/oauth/bc-authorize', {
    form: { client_id: p.agent.clientId, login_hint: p.agent.userId, scope: 'payments:write', authorization_details: DETAILS, binding_message: bindingMessage },
  });
  expect(asked.status(), await asked.text()).toBe(200);
  const { auth_req_id } = await asked.json();
  const id = (await server.sql.query("SELECT id FROM approval_requests WHERE agent_id = $1 AND status = 'PENDING' ORDER BY created_at DESC LIMIT 1", [p.agent.agentId])).rows[0].id as string;
  return { authReqId: auth_req_id as string, id };
}

const deliveries = async (approvalId: string) =>
  (await server.sql.query('SELECT event, channel::text, target, outcome, detail FROM notification_deliveries WHERE approval_request_id = $1 ORDER BY created_at', [approvalId])).rows;

test('a CIBA request arrives by email and by push, says what is asked in words, links to the request, and is recorded and audited', async () => {
  const p = await person('Accounts payable agent');
  const { id, authReqId } = await ask(p);

  const mail = await smtp.waitFor((m) => m.to.includes(p.email));
  expect(mail.from).toBe('leash@example.test');
  expect(mail.subject).toBe('Accounts payable agent asks for your approval: Pay $1,250.00 to ACME Ltd');
  // The agent, the action in words (RFC 9396 as on the consent screen), the binding message, the expiry, the link.
  expect(mail.text).toContain(`Accounts payable agent (${p.agent.clientId}) asks to:\n  - Pay $1,250.00 to ACME Ltd`);
  expect(mail.text).toContain('Its message: "Pay invoice INV-2026-0142"');
  expect(mail.text).toMatch(/The request expires at \d\d:\d\d UTC \(in 5 minutes\)\./);
  expect(mail.text).toContain(`Review it: ${server.baseURL}/approvals/${id}`);
  expect(mail.text).toContain('nothing is approved by opening it');
  expect(mail.html).toContain(`<a href="${server.baseURL}/approvals/${id}"`);
  expect(mail.html).toContain('<strong>Pay $1,250.00 to ACME Ltd</strong>');

  const message = await push.waitFor(p.subscription.endpoint, () => true);
  expect(message.error).toBeUndefined();
  expect(message.payload).toEqual({
    title: 'Accounts payable agent asks for approval',
    body: 'Pay $1,250.00 to ACME Ltd\n“Pay invoice INV-2026-0142”',
    url: `${server.baseURL}/approvals/${id}`,
    tag: `approval-${id}`,
  });
  // RFC 8030 §5.2-5.4: kept no longer than the request lives, urgent, replaceable by the reminder.
  expect(message.ttl).toBeGreaterThan(280);
  expect(message.ttl).toBeLessThanOrEqual(300);
  expect(message.urgency).toBe('high');
  expect(message.topic).toBe(`approval${id.replace(/-/g, '')}`.slice(-32));

  await expect
    .poll(() => deliveries(id))
    .toEqual([
      expect.objectContaining({ event: 'approval_requested', channel: expect.stringMatching(/EMAIL|PUSH/), outcome: 'sent' }),
      expect.objectContaining({ event: 'approval_requested', channel: expect.stringMatching(/EMAIL|PUSH/), outcome: 'sent' }),
    ]);
  expect((await deliveries(id)).map((d) => `${d.channel} ${d.target}`).sort()).toEqual([`EMAIL ${p.email}`, 'PUSH Chrome on Android']);
  const audit = await server.sql.query("SELECT details FROM audit_events WHERE action = 'notification.send' AND details->>'approval_request' = $1", [id]);
  expect(audit.rows.map((r) => r.details).sort((a, b) => a.channel.localeCompare(b.channel))).toEqual([
    { channel: 'email', event: 'approval_requested', outcome: 'sent', target: p.email, detail: 'accepted by the SMTP server', approval_request: id },
    { channel: 'push', event: 'approval_requested', outcome: 'sent', target: 'Chrome on Android', detail: 'accepted by the push service (201)', approval_request: id },
  ]);

  // The link approves nothing by itself: signed out, it leads to sign-in; the request is still pending.
  const stranger = await playwrightRequest.newContext({ baseURL: server.baseURL });
  const opened = await stranger.get(`/approvals/${id}`, { maxRedirects: 0 });
  expect(opened.status()).toBe(307);
  expect(opened.headers().location).toBe(`/sign-in?callbackUrl=%2Fapprovals%2F${id}`);
  await stranger.dispose();
  // Signed in, it shows the request and what was sent about it.
  const page = await p.api.get(`/approvals/${id}`);
  expect(page.status()).toBe(200);
  const html = await page.text();
  expect(html).toContain('Pay $1,250.00 to ACME Ltd');
  expect(html).toContain('Notifications sent');
  expect((await server.sql.query('SELECT status FROM approval_requests WHERE id = $1', [id])).rows[0].status).toBe('PENDING');
  await server.sql.query("UPDATE approval_requests SET last_polled_at = now() - interval '1 minute' WHERE id = $1", [id]);
  const poll = await p.api.post('/oauth/token', { form: { grant_type: CIBA, client_id: p.agent.clientId, auth_req_id: authReqId } });
  expect((await poll.json()).error).toBe('authorization_pending');
  await p.api.dispose();
});

test('channel choices and quiet hours (in the user’s time zone) decide what is sent; skipped messages are recorded', async () => {
  const p = await person('Quiet agent');
  const headers = sameOrigin(server.baseURL);
  // Push only, and quiet hours around now in Asia/Tokyo (UTC+9, no daylight saving).
  await server.sql.query("UPDATE users SET time_zone = 'Asia/Tokyo' WHERE id = $1", [p.agent.userId]);
  const tokyoHour = (new Date().getUTCHours() + 9) % 24;
  const at = (h: number) => `${String((h + 24) % 24).padStart(2, '0')}:00`;
  const quiet = { start: at(tokyoHour), end: at(tokyoHour + 1) };
  const base = { email: [], push: ['approval_requested'], webhook: [], reminderMinutes: 0 };
  const saved = await p.api.put('/api/account/notifications', { headers, data: { ...base, quietHours: quiet } });
  expect(saved.status(), await saved.text()).toBe(200);
  const during = await ask(p, 'During quiet hours');
  await expect.poll(() => deliveries(during.id)).toEqual([{ event: 'approval_requested', channel: 'PUSH', target: 'Chrome on Android', outcome: 'skipped', detail: 'quiet hours' }]);
  expect(push.messages(p.subscription.endpoint)).toEqual([]);
  expect(smtp.mail.filter((m) => m.to.includes(p.email))).toEqual([]);

  // The same hours an hour later in Tokyo are not now: sent. (An hour in UTC would be the wrong zone.)
  expect((await p.api.put('/api/account/notifications', { headers, data: { ...base, quietHours: { start: at(tokyoHour + 1), end: at(tokyoHour + 2) } } })).status()).toBe(200);
  const after = await ask(p, 'Outside quiet hours');
  const sent = await push.waitFor(p.subscription.endpoint, (m) => m.payload?.body?.includes('Outside quiet hours') ?? false);
  expect(sent.payload?.url).toBe(`${server.baseURL}/approvals/${after.id}`);
  await expect.poll(() => deliveries(after.id)).toEqual([expect.objectContaining({ channel: 'PUSH', outcome: 'sent' })]);
  // Email was not chosen for approvals: nothing sent, nothing recorded for it.
  expect(smtp.mail.filter((m) => m.to.includes(p.email))).toEqual([]);

  // Bad settings change nothing: 400 with the field named.
  const bad = await p.api.put('/api/account/notifications', { headers, data: { ...base, push: ['approval_requested', 'everything'], quietHours: null } });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).field_errors).toHaveProperty(['push.1']);
  expect((await (await p.api.get('/api/account/notifications')).json()).preferences.quietHours).toEqual({ start: at(tokyoHour + 1), end: at(tokyoHour + 2) });
  const audit = await server.sql.query("SELECT details FROM audit_events WHERE action = 'account.notification_settings' AND user_id = $1 ORDER BY id", [p.agent.userId]);
  expect(audit.rows).toHaveLength(2);
  expect(audit.rows[0].details).toEqual({ email: [], push: ['approval_requested'], webhook: [], quietHours: quiet, reminderMinutes: 0, digest: { enabled: false, hour: 8 } });
  await p.api.dispose();
});

test('a reminder before expiry, sent once across ticks; then the request expires: expired_token for the agent, and the audit says so', async () => {
  const p = await person('Slow agent');
  const headers = sameOrigin(server.baseURL);
  expect(
    (await p.api.put('/api/account/notifications', { headers, data: { email: ['approval_expiring'], push: ['approval_expiring'], webhook: [], quietHours: null, reminderMinutes: 2 } })).status(),
  ).toBe(200);
  const { id, authReqId } = await ask(p, 'Pay before the late fee');
  // Not yet within two minutes of expiry: no reminder (the request itself is not routed anywhere).
  await new Promise((r) => setTimeout(r, 3000));
  expect(await deliveries(id)).toEqual([]);
  // The clock moves: 90 seconds left.
  await server.sql.query("UPDATE approval_requests SET expires_at = now() + interval '90 seconds' WHERE id = $1", [id]);
  const mail = await smtp.waitFor((m) => m.to.includes(p.email) && m.subject.startsWith('Reminder'));
  expect(mail.subject).toBe('Reminder: Slow agent is still waiting for your approval (2 minutes left)');
  expect(mail.text).toContain(`Review it: ${server.baseURL}/approvals/${id}`);
  const reminder = await push.waitFor(p.subscription.endpoint, () => true);
  expect(reminder.payload).toMatchObject({ title: '2 minutes left to decide', url: `${server.baseURL}/approvals/${id}`, tag: `approval-${id}` });
  // Once: later ticks (every 2 s) find it claimed.
  await new Promise((r) => setTimeout(r, 4500));
  expect((await deliveries(id)).map((d) => `${d.event} ${d.channel} ${d.outcome}`).sort()).toEqual(['approval_expiring EMAIL sent', 'approval_expiring PUSH sent']);
  expect(push.messages(p.subscription.endpoint)).toHaveLength(1);
  expect((await server.sql.query('SELECT reminded_at IS NOT NULL AS reminded FROM approval_requests WHERE id = $1', [id])).rows[0].reminded).toBe(true);

  // Time runs out: EXPIRED (the inbox hears it), one audit row, and the agent's poll says expired_token.
  await server.sql.query("UPDATE approval_requests SET expires_at = now() - interval '1 second', last_polled_at = NULL WHERE id = $1", [id]);
  await expect.poll(async () => (await server.sql.query('SELECT status FROM approval_requests WHERE id = $1', [id])).rows[0].status).toBe('EXPIRED');
  const expired = await server.sql.query("SELECT decision, reason, details FROM audit_events WHERE action = 'elevation.expire' AND details->>'approval_request' = $1", [id]);
  expect(expired.rows).toEqual([{ decision: 'DENY', reason: 'nobody decided before the request expired: the agent is told expired_token', details: { approval_request: id } }]);
  const poll = await p.api.post('/oauth/token', { form: { grant_type: CIBA, client_id: p.agent.clientId, auth_req_id: authReqId } });
  expect(poll.status()).toBe(400);
  expect((await poll.json()).error).toBe('expired_token');
  // Approving it now is refused as expired, not as "already answered".
  const late = await p.api.post(`/api/account/approvals/${id}/deny`, { headers });
  expect(late.status()).toBe(409);
  expect((await late.json()).message).toBe('This request has expired; the agent must ask again.');
  const history = await (await p.api.get('/approvals')).text();
  expect(history).toContain('Expired');

  // No reminder when the user turned it off.
  expect((await p.api.put('/api/account/notifications', { headers, data: { email: ['approval_expiring'], push: [], webhook: [], quietHours: null, reminderMinutes: 0 } })).status()).toBe(200);
  const quiet = await ask(p, 'No reminder please');
  await server.sql.query("UPDATE approval_requests SET expires_at = now() + interval '30 seconds' WHERE id = $1", [quiet.id]);
  await new Promise((r) => setTimeout(r, 4500));
  expect(await deliveries(quiet.id)).toEqual([]);
  expect((await server.sql.query('SELECT reminded_at FROM approval_requests WHERE id = $1', [quiet.id])).rows[0].reminded_at).toBeNull();
  await p.api.dispose();
});

test('a test message per channel; a subscription the push service forgot (410) is removed and audited; bad subscriptions are refused', async () => {
  const p = await person('Test agent');
  const headers = sameOrigin(server.baseURL);
  const email = await p.api.post('/api/account/notifications/test', { headers, data: { channel: 'email' } });
  expect(email.status(), await email.text()).toBe(200);
  expect((await email.json()).deliveries).toEqual([{ channel: 'email', target: p.email, outcome: 'sent', detail: 'accepted by the SMTP server' }]);
  expect((await smtp.waitFor((m) => m.to.includes(p.email))).subject).toBe('Leash test message');
  const pushed = await p.api.post('/api/account/notifications/test', { headers, data: { channel: 'push' } });
  expect((await pushed.json()).deliveries).toEqual([{ channel: 'push', target: 'Chrome on Android', outcome: 'sent', detail: 'accepted by the push service (201)' }]);
  expect((await push.waitFor(p.subscription.endpoint, () => true)).payload).toMatchObject({ title: 'Leash test message', tag: 'leash-test' });
  const webhook = await p.api.post('/api/account/notifications/test', { headers, data: { channel: 'webhook' } });
  expect(webhook.status()).toBe(409);
  expect((await webhook.json()).message).toBe('No webhook is set (Settings → Alerts).');

  // The phone was reset: the push service answers 410 Gone; the subscription goes, audited.
  push.forget(p.subscription.endpoint);
  const gone = await p.api.post('/api/account/notifications/test', { headers, data: { channel: 'push' } });
  expect((await gone.json()).deliveries).toEqual([{ channel: 'push', target: 'Chrome on Android', outcome: 'failed', detail: 'the push service answered 410' }]);
  expect((await server.sql.query('SELECT count(*)::int AS n FROM push_subscriptions WHERE user_id = $1', [p.agent.userId])).rows[0].n).toBe(0);
  const removed = await server.sql.query("SELECT details FROM audit_events WHERE action = 'account.push_unsubscribe' AND user_id = $1", [p.agent.userId]);
  expect(removed.rows).toEqual([{ details: { subscription: expect.any(String), device: 'Chrome on Android', reason: 'gone' } }]);
  expect((await p.api.post('/api/account/notifications/test', { headers, data: { channel: 'push' } })).status()).toBe(409);

  // A subscription to a push service the guard does not allow (plain http, private address) or with a broken key.
  const another = push.subscribe('x');
  for (const bad of [
    { ...another, endpoint: 'http://10.0.0.1/push/1' },
    { ...another, keys: { ...another.keys, p256dh: Buffer.alloc(65, 1).toString('base64url') } },
    { ...another, keys: { ...another.keys, auth: 'short' } },
  ]) {
    const refused = await p.api.post('/api/account/push-subscriptions', { headers, data: bad });
    expect(refused.status()).toBe(400);
    expect((await refused.json()).error).toBe('invalid_request');
  }
  expect((await server.sql.query('SELECT count(*)::int AS n FROM push_subscriptions WHERE user_id = $1', [p.agent.userId])).rows[0].n).toBe(0);

  // Added, then removed by the user; someone else's id is 404.
  const added = await (await p.api.post('/api/account/push-subscriptions', { headers, data: push.subscribe((await (await p.api.get('/api/account/notifications')).json()).vapidPublicKey) })).json();
  const other = await person('Other agent');
  expect((await other.api.delete(`/api/account/push-subscriptions/${added.id}`, { headers })).status()).toBe(404);
  expect((await p.api.delete(`/api/account/push-subscriptions/${added.id}`, { headers })).status()).toBe(200);
  expect((await server.sql.query('SELECT count(*)::int AS n FROM push_subscriptions WHERE id = $1', [added.id])).rows[0].n).toBe(0);

  // The app can be installed: the manifest opens the inbox, the service worker is served from the root.
  const manifest = await p.api.get('/manifest.webmanifest');
  expect(manifest.status()).toBe(200);
  expect(await manifest.json()).toMatchObject({ start_url: '/approvals', display: 'standalone', scope: '/' });
  const worker = await p.api.get('/sw.js');
  expect(worker.status()).toBe(200);
  expect(worker.headers()['content-type']).toMatch(/javascript/);
  expect(await worker.text()).toContain("addEventListener('notificationclick'");
  await p.api.dispose();
  await other.api.dispose();
});
