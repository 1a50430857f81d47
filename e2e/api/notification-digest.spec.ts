// The daily digest (issue 17): a person with two agents (allowed and refused calls, one approval
// approved and one denied, an alert) turns the digest on; when their clock passes the hour, exactly
// one mail arrives at a real SMTP server on loopback, even with a second instance on the same
// database sweeping too, and later sweeps send nothing more. It holds the exact counts per agent
// and links to the audit log filtered to that agent and the window, which really filters; markup
// in an agent's name stays text in the HTML part. The mail is a notification_deliveries row and a
// `notification.send` audit row. With the digest off nothing is sent.
// The clock: the digest clock reads the database's, as the approval clock does, and the person's
// wall clock is what matters; it is moved forward by moving the person's time zone east through
// Settings (the same instant, three hours later for them), which is how the spec moves time
// without touching any process's clock (lib/clock/trusted-clock.ts refuses a server whose clock jumps).
import { generate } from 'otplib';
import { expect, request as playwrightRequest, test, type APIRequestContext } from '@playwright/test';
import { sameOrigin } from '../support/accounts';
import { CIBA } from '../support/approvals';
import { delegatedToken, setPolicy, type Delegation } from '../support/delegation';
import { serverWithOwnDatabase, type OwnDatabaseServer } from '../support/own-database';
import { startSmtpInbox, type SmtpInbox } from '../support/smtp-inbox';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

test.describe.configure({ mode: 'serial', timeout: 150_000 });

const DETAILS = JSON.stringify([{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '120.00' }, creditorName: 'ACME Ltd' }]);
const MARKUP_NAME = '<img src=x onerror=alert(1)>Report <b>writer</b>';
const SILENT = { email: [], push: [], webhook: [], quietHours: null, reminderMinutes: 0 };

let server: OwnDatabaseServer;
let second: SpawnedServer | undefined;
let smtp: SmtpInbox;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  smtp = await startSmtpInbox();
  server = await serverWithOwnDatabase('digest', { LEASH_SMTP_URL: smtp.url, LEASH_MAIL_FROM: 'Leash <leash@example.test>' });
});

test.afterAll(async () => {
  await second?.stop();
  await server?.stop();
  await smtp?.close();
});

/** A fixed-offset zone where it is now `hour` o'clock (IANA's Etc/GMT±n has POSIX's sign: Etc/GMT-5 is UTC+5), leaving room for 3 hours more. */
function zoneAt(hour: number, later = 0): string {
  const r = (((hour - new Date().getUTCHours()) % 24) + 24) % 24;
  const offset = (r <= 11 ? r : r - 24) + later;
  return offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

async function setTimeZone(api: APIRequestContext, userId: string, timeZone: string) {
  const { intent_storage, intent_retention_days } = (await server.sql.query('SELECT intent_storage, intent_retention_days FROM users WHERE id = $1', [userId])).rows[0];
  const saved = await api.post('/api/account/settings', { headers: sameOrigin(server.baseURL), data: { timeZone, intentStorage: intent_storage, intentRetentionDays: intent_retention_days } });
  expect(saved.status(), await saved.text()).toBe(200);
}

const digestMail = (email: string) => smtp.mail.filter((m) => m.to.includes(email) && m.subject.startsWith('Leash daily digest'));
const digestRows = async (userId: string) =>
  (await server.sql.query("SELECT channel::text, target, outcome, detail FROM notification_deliveries WHERE user_id = $1 AND event = 'digest'", [userId])).rows;
/** Two sweeps of each instance (every 5 s). */
const twoSweeps = () => new Promise((r) => setTimeout(r, 11_000));

test('one digest a day when the hour passes, even with two instances; exact counts per agent; audit links that filter; escaped HTML; recorded and audited; nothing when off', async () => {
  const api = await playwrightRequest.newContext({ baseURL: server.baseURL });
  const headers = sameOrigin(server.baseURL);
  const ledger = await delegatedToken(
    api,
    server.baseURL,
    'datasets:read payments:write',
    {},
    {
      agentName: 'Ledger bot',
      registration: { grant_types: ['authorization_code', CIBA], scope: 'datasets:read payments:write' },
      db: server.sql,
    },
  );
  const email = (await server.sql.query('SELECT email FROM users WHERE id = $1', [ledger.userId])).rows[0].email as string;
  const writer = await delegatedToken(api, server.baseURL, 'datasets:read', {}, { signedInAs: { email }, agentName: MARKUP_NAME, db: server.sql });

  // 06:xx for the person; the digest at 08:00; approval mails off (this spec reads digests only).
  await setTimeZone(api, ledger.userId, zoneAt(6));
  const saved = await api.put('/api/account/notifications', { headers, data: { ...SILENT, digest: { enabled: true, hour: 8 } } });
  expect(saved.status(), await saved.text()).toBe(200);
  expect((await saved.json()).preferences.digest).toEqual({ enabled: true, hour: 8 });
  const bad = await api.put('/api/account/notifications', { headers, data: { ...SILENT, digest: { enabled: true, hour: 24 } } });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).field_errors).toHaveProperty(['digest.hour']);

  // Ledger bot: 3 calls allowed, 2 refused (no scope for invoices), 2 approvals: one approved, one denied.
  const call = async (agent: Delegation, path: string, status: number) => expect((await api.get(path, { headers: agent.auth })).status()).toBe(status);
  for (let i = 0; i < 3; i++) await call(ledger, '/api/v1/datasets', 200);
  for (let i = 0; i < 2; i++) await call(ledger, '/api/v1/invoices', 403);
  const { secret } = await (await api.post('/api/account/totp/start', { headers })).json();
  expect((await api.post('/api/account/totp/confirm', { headers, data: { code: await generate({ secret }) } })).status()).toBe(200);
  const ask = async (message: string) => {
    const asked = await api.post('/oauth/bc-authorize', {
      form: { client_id: ledger.clientId, login_hint: ledger.userId, scope: 'payments:write', authorization_details: DETAILS, binding_message: message },
    });
    expect(asked.status(), await asked.text()).toBe(200);
    return (await server.sql.query("SELECT id FROM approval_requests WHERE agent_id = $1 AND status = 'PENDING' ORDER BY created_at DESC LIMIT 1", [ledger.agentId])).rows[0].id as string;
  };
  const approved = await api.post(`/api/account/approvals/${await ask('Pay invoice 1')}/approve`, {
    headers,
    data: { code: await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }) },
  });
  expect(approved.status(), await approved.text()).toBe(200);
  expect((await api.post(`/api/account/approvals/${await ask('Pay invoice 2')}/deny`, { headers })).status()).toBe(200);
  // The writer: outside its allowed hours, 3 calls refused and one warning.
  // The window is in the person's time zone, where it is 06:xx now (zoneAt(6)): noon never includes now.
  await setPolicy(writer, { timeWindows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '12:00', end: '12:30' }] }, server.sql);
  for (let i = 0; i < 3; i++) await call(writer, '/api/v1/datasets', 403);
  await expect.poll(async () => (await server.sql.query("SELECT count(*)::int AS n FROM alerts WHERE agent_id = $1 AND severity = 'WARNING'", [writer.agentId])).rows[0].n).toBe(1);

  // Someone with the digest off (the default), with activity too.
  const other = await playwrightRequest.newContext({ baseURL: server.baseURL });
  const quiet = await delegatedToken(other, server.baseURL, 'datasets:read', {}, { agentName: 'Unwatched agent', db: server.sql });
  const otherEmail = (await server.sql.query('SELECT email FROM users WHERE id = $1', [quiet.userId])).rows[0].email as string;
  await setTimeZone(other, quiet.userId, zoneAt(6));
  expect((await other.get('/api/v1/datasets', { headers: quiet.auth })).status()).toBe(200);

  // Before the hour: nothing.
  await twoSweeps();
  expect(digestMail(email)).toEqual([]);

  // A second instance on the same database sweeps too; then both people's clocks pass 08:00.
  second = await spawnServer(
    { DATABASE_URL: server.databaseUrl, LEASH_ISSUER: server.baseURL, LEASH_TRUSTED_PROXIES: '1', LEASH_SMTP_URL: smtp.url, LEASH_MAIL_FROM: 'Leash <leash@example.test>' },
    { dataDir: server.dataDir },
  );
  const later = zoneAt(6, 3);
  await setTimeZone(api, ledger.userId, later);
  await setTimeZone(other, quiet.userId, later);
  const mail = await smtp.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Leash daily digest'), 20_000);
  expect(mail.from).toBe('leash@example.test');
  expect(mail.subject).toBe('Leash daily digest: 3 calls allowed, 5 refused, 2 approvals asked (1 approved, 1 denied), 1 alert (1 warning)');
  expect(mail.text).toMatch(
    /^What your agents did in the 24 hours to 09:\d\d on \w+ \d+ \w+ \(Etc\/GMT(?:[-+]\d+)?\)\.\n\nIn all: 3 calls allowed, 5 refused, 2 approvals asked \(1 approved, 1 denied\), 1 alert \(1 warning\)\./,
  );
  const link = (agentId: string) => new RegExp(`: (${server.baseURL}/audit\\?agent=${agentId}&from=[^\\s]+&to=[^\\s]+)`).exec(mail.text)?.[1];
  const ledgerLink = link(ledger.agentId)!;
  const writerLink = link(writer.agentId)!;
  expect(mail.text).toContain(
    [
      `Ledger bot (id …${ledger.clientId.slice(-6)})`,
      '  Calls: 3 allowed, 2 refused',
      '  Approvals: 2 asked: 1 approved, 1 denied',
      `  Its audit log for these 24 hours: ${ledgerLink}`,
      '',
      `${MARKUP_NAME} (id …${writer.clientId.slice(-6)})`,
      '  Calls: 0 allowed, 3 refused',
      '  Alerts: 1 warning',
      `  Its audit log for these 24 hours: ${writerLink}`,
    ].join('\n'),
  );
  // The link's window is the 24 hours before the digest went, and the audit page's filter really filters by it.
  const url = new URL(ledgerLink);
  const from = Date.parse(url.searchParams.get('from')!);
  const to = Date.parse(url.searchParams.get('to')!);
  expect(to - from).toBe(86_400_000);
  expect(Date.now() - to).toBeLessThan(60_000);
  const page = await (await api.get(`/api/account/audit${url.search}`)).json();
  const rows = page.events as { agentId: string; action: string; decision: string }[];
  expect(new Set(rows.map((r) => r.agentId))).toEqual(new Set([ledger.agentId]));
  expect(rows.filter((r) => r.action === 'datasets.list' && r.decision === 'ALLOW')).toHaveLength(3);
  expect(rows.filter((r) => r.action === 'invoices.list' && r.decision === 'DENY')).toHaveLength(2);
  const screen = await api.get(`/audit${url.search}`);
  expect(screen.status()).toBe(200);
  expect(await screen.text()).not.toContain('were not valid and were ignored');

  // The HTML part: the same, with the agent's markup as text.
  expect(mail.html).toContain('<strong>&lt;img src=x onerror=alert(1)&gt;Report &lt;b&gt;writer&lt;/b&gt;</strong>');
  expect(mail.html).not.toMatch(/<img|<b>writer/);
  expect(mail.html).toContain(`<a href="${ledgerLink.replace(/&/g, '&amp;')}">Its audit log for these 24 hours</a>`);
  expect(mail.html).toContain('<li>Calls: 3 allowed, 2 refused</li><li>Approvals: 2 asked: 1 approved, 1 denied</li>');

  // Once: more sweeps of both instances send nothing more.
  await twoSweeps();
  expect(digestMail(email)).toHaveLength(1);
  expect(await digestRows(ledger.userId)).toEqual([{ channel: 'EMAIL', target: email, outcome: 'sent', detail: 'accepted by the SMTP server' }]);
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: later }).format(new Date());
  const audit = await server.sql.query("SELECT decision, reason, details FROM audit_events WHERE action = 'notification.send' AND user_id = $1", [ledger.userId]);
  expect(audit.rows).toEqual([
    {
      decision: 'ALLOW',
      reason: `daily digest for ${today} sent by email (${email}): accepted by the SMTP server`,
      details: { channel: 'email', event: 'digest', outcome: 'sent', target: email, detail: 'accepted by the SMTP server', digest_for: today },
    },
  ]);
  expect((await server.sql.query('SELECT digest_sent_for::text AS day FROM notification_settings WHERE user_id = $1', [ledger.userId])).rows[0].day).toBe(today);

  // The digest off: nothing sent, nothing recorded.
  expect(digestMail(otherEmail)).toEqual([]);
  expect(await digestRows(quiet.userId)).toEqual([]);
  // Asked for now, it comes whatever the setting (and changes no schedule).
  const now = await other.post('/api/account/notifications/digest', { headers });
  expect(now.status(), await now.text()).toBe(200);
  expect((await now.json()).deliveries).toEqual([{ channel: 'email', target: otherEmail, outcome: 'sent', detail: 'accepted by the SMTP server' }]);
  const preview = await smtp.waitFor((m) => m.to.includes(otherEmail));
  expect(preview.subject).toBe('Leash daily digest: 1 call allowed, 0 refused');
  expect(preview.text).toContain(`Unwatched agent (id …${quiet.clientId.slice(-6)})\n  Calls: 1 allowed, 0 refused\n`);
  expect((await server.sql.query("SELECT details->>'digest_for' AS day FROM audit_events WHERE action = 'notification.send' AND user_id = $1", [quiet.userId])).rows).toEqual([{ day: null }]);
  // Nobody's agent did anything: nothing to send, and it says so.
  const idle = await playwrightRequest.newContext({ baseURL: server.baseURL });
  const nobody = await delegatedToken(idle, server.baseURL, 'datasets:read', {}, { db: server.sql });
  const nothing = await idle.post('/api/account/notifications/digest', { headers });
  expect(nothing.status()).toBe(409);
  expect((await nothing.json()).message).toBe('Your agents did nothing in the last 24 hours: there is no digest to send (on such days none is sent).');
  expect(await digestRows(nobody.userId)).toEqual([]);
  await Promise.all([api.dispose(), other.dispose(), idle.dispose()]);
});
