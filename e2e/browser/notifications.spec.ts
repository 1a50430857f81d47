// The person is away; the agent asks (issue 17, "done when"): the email and the push message both
// arrive (read back from a real SMTP server and a push service that decrypts with the
// subscription's keys), each leads to the approval page, which needs sign-in and the second factor
// for that request; approving there lets the agent's poll succeed. Then Settings → Notifications
// in the browser, and the approval page and settings at phone and desktop widths, light and dark.
import { expect, request as playwrightRequest, test, type Page } from '@playwright/test';
import { createAccount, fillSignIn, signInInBrowser, TEST_PASSWORD as password, uniqueEmail } from '../support/accounts';
import { CIBA, enrolTotp, recoveryCode, totpCode } from '../support/approvals';
import { delegatedToken } from '../support/delegation';
import { serverWithOwnDatabase, type OwnDatabaseServer } from '../support/own-database';
import { startPushService, type PushService } from '../support/push-service';
import { startSmtpInbox, type SmtpInbox } from '../support/smtp-inbox';

test.describe.configure({ mode: 'serial', timeout: 120_000 });

const DETAILS = JSON.stringify([{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '1250.00' }, creditorName: 'ACME Facilities Ltd' }]);

let server: OwnDatabaseServer;
let smtp: SmtpInbox;
let push: PushService;

test.beforeAll(async () => {
  smtp = await startSmtpInbox();
  push = await startPushService();
  server = await serverWithOwnDatabase('notify-browser', { LEASH_SMTP_URL: smtp.url, LEASH_PUSH_ALLOWLIST: `127.0.0.1:${push.port}` });
});

test.afterAll(async () => {
  await server?.stop();
  await smtp?.close();
  await push?.close();
});

async function shoot(page: Page, name: string) {
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const size of [
      { label: 'phone', width: 390, height: 844 },
      { label: 'desktop', width: 1280, height: 800 },
    ]) {
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name} at ${size.width} px is wider than the screen`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `.leash-test/screenshots/${name}-${size.label}-${colorScheme}.png`, fullPage: true });
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'light' });
}

test('email and push arrive; each opens the approval page, which needs sign-in and the second factor; the agent’s poll then succeeds', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server.baseURL });
  const page = await context.newPage();
  const api = await playwrightRequest.newContext({ baseURL: server.baseURL });
  const user = await createAccount(api, server.baseURL, { email: uniqueEmail('notify'), password });
  await signInInBrowser(page, user.email);
  const secret = await enrolTotp(page, server.baseURL);
  const agent = await delegatedToken(
    page.request,
    server.baseURL,
    'payments:write',
    {},
    { signedInAs: user, agentName: 'Accounts payable agent', registration: { grant_types: ['authorization_code', CIBA], scope: 'payments:write' }, db: server.sql },
  );
  const { vapidPublicKey } = await (await page.request.get('/api/account/notifications')).json();
  const phone = push.subscribe(vapidPublicKey);
  expect((await page.request.post('/api/account/push-subscriptions', { headers: { Origin: server.baseURL }, data: phone })).status()).toBe(200);
  // The person walks away: signed out of this browser.
  await context.clearCookies();

  const ask = async (message: string) => {
    const asked = await api.post('/oauth/bc-authorize', {
      form: { client_id: agent.clientId, login_hint: agent.userId, scope: 'payments:write', authorization_details: DETAILS, binding_message: message },
    });
    expect(asked.status(), await asked.text()).toBe(200);
    return (await asked.json()).auth_req_id as string;
  };
  const poll = async (authReqId: string) => {
    await server.sql.query("UPDATE approval_requests SET last_polled_at = now() - interval '1 minute' WHERE agent_id = $1", [agent.agentId]);
    return api.post('/oauth/token', { form: { grant_type: CIBA, client_id: agent.clientId, auth_req_id: authReqId } });
  };

  // 1. By email: the link, opened signed out, asks to sign in first, then shows the request.
  const first = await ask('Pay invoice INV-2026-0142');
  const mail = await smtp.waitFor((m) => m.to.includes(user.email) && m.text.includes('INV-2026-0142'));
  const link = /Review it: (\S+)/.exec(mail.text)![1]!;
  expect(link).toMatch(new RegExp(`^${server.baseURL}/approvals/[0-9a-f-]{36}$`));
  await page.goto(link);
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=/);
  await fillSignIn(page, user.email);
  await expect(page).toHaveURL(link);
  await expect(page.getByRole('region', { name: 'What you are approving' })).toContainText('Pay €1,250.00 to ACME Facilities Ltd');
  await expect(page.getByRole('region', { name: 'What you are approving' })).toContainText('“Pay invoice INV-2026-0142”');
  await expect(page.getByRole('timer', { name: 'Time left to decide' })).toContainText(/[0-4]:[0-5]\d/);
  const sent = page.getByRole('region', { name: 'Notifications sent' });
  await expect(sent).toContainText(`Email request · ${user.email}`);
  await expect(sent).toContainText(/Push request · [\w ]+ on \w+/);
  expect((await (await poll(first)).json()).error).toBe('authorization_pending'); // opening it approved nothing
  await shoot(page, 'approval-notified');
  await page.getByLabel('Code from your authenticator app').fill(await totpCode(secret));
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(page.getByText('Approved. The agent gets its elevated access on its next poll.')).toBeVisible();
  const token = await poll(first);
  expect(token.status(), await token.text()).toBe(200);
  expect(await token.json()).toMatchObject({ token_type: 'Bearer', scope: 'payments:write' });

  // 2. By push: the decrypted message's Review URL opens the same kind of page; approved with a recovery code.
  const second = await ask('Pay invoice INV-2026-0143');
  const message = await push.waitFor(phone.endpoint, (m) => m.payload?.body?.includes('INV-2026-0143') ?? false);
  expect(message.payload?.title).toBe('Accounts payable agent asks for approval');
  await page.goto(message.payload!.url!);
  await expect(page.getByRole('region', { name: 'What you are approving' })).toContainText('“Pay invoice INV-2026-0143”');
  await page.getByLabel('Code from your authenticator app').fill(recoveryCode(secret));
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(page.getByText('Approved. The agent gets its elevated access on its next poll.')).toBeVisible();
  expect((await poll(second)).status()).toBe(200);
  const audit = await server.sql.query("SELECT action FROM audit_events WHERE agent_id = $1 AND action IN ('elevation.request', 'notification.send', 'elevation.approve') ORDER BY id", [
    agent.agentId,
  ]);
  expect(audit.rows.map((r) => r.action)).toEqual([
    'elevation.request',
    'notification.send',
    'notification.send',
    'elevation.approve',
    'elevation.request',
    'notification.send',
    'notification.send',
    'elevation.approve',
  ]);
  await api.dispose();
  await context.close();
});

test('Settings → Notifications: choose channels, quiet hours and the reminder; send a test; pictures at phone and desktop widths', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server.baseURL });
  const page = await context.newPage();
  const api = await playwrightRequest.newContext({ baseURL: server.baseURL });
  const user = await createAccount(api, server.baseURL, { email: uniqueEmail('notify-settings'), password });
  await signInInBrowser(page, user.email);
  await page.goto('/settings#notifications');
  const form = page.getByRole('form', { name: 'Notification settings' });
  await expect(form.getByRole('checkbox', { name: 'An agent asks for approval by email' })).toBeChecked();
  await shoot(page, 'settings-notifications');
  await form.getByRole('checkbox', { name: 'An agent asks for approval by email' }).uncheck();
  await form.getByRole('checkbox', { name: 'A request is about to expire by email' }).check();
  await form.getByRole('checkbox', { name: 'No email or push between' }).check();
  await form.getByLabel('Quiet from').fill('23:00');
  await form.getByLabel('Quiet until').fill('06:30');
  await form.getByLabel('Remind me before a request expires').selectOption('3');
  await form.getByRole('button', { name: 'Save notification settings' }).click();
  await expect(form.getByText('Saved. Notifications follow these settings from now on.')).toBeVisible();
  const stored = (await server.sql.query('SELECT preferences FROM notification_settings WHERE user_id = (SELECT id FROM users WHERE email = $1)', [user.email])).rows[0].preferences;
  expect(stored).toMatchObject({ email: ['approval_expiring', 'alert_critical'], quietHours: { start: '23:00', end: '06:30' }, reminderMinutes: 3 });
  await page.reload();
  await expect(form.getByRole('checkbox', { name: 'An agent asks for approval by email' })).not.toBeChecked();
  await expect(form.getByLabel('Quiet from')).toHaveValue('23:00');

  await form.getByRole('button', { name: 'Send a test email' }).click();
  await expect(form.getByText(`${user.email}: sent, accepted by the SMTP server`)).toBeVisible();
  expect((await smtp.waitFor((m) => m.to.includes(user.email))).subject).toBe('Leash test message');
  await form.getByRole('button', { name: 'Send a test push' }).click();
  await expect(form.getByText('No browser or phone is subscribed yet.').first()).toBeVisible();
  await api.dispose();
  await context.close();
});

test('Settings → Notifications: the daily digest toggles and persists; sent now, its audit link opens that agent’s rows only; pictures at phone and desktop widths', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server.baseURL });
  const page = await context.newPage();
  const api = await playwrightRequest.newContext({ baseURL: server.baseURL });
  const user = await createAccount(api, server.baseURL, { email: uniqueEmail('notify-digest'), password });
  await signInInBrowser(page, user.email);
  const alpha = await delegatedToken(page.request, server.baseURL, 'datasets:read', {}, { signedInAs: user, agentName: 'Alpha reader', db: server.sql });
  const beta = await delegatedToken(page.request, server.baseURL, 'datasets:read', {}, { signedInAs: user, agentName: 'Beta reader', db: server.sql });
  for (const agent of [alpha, alpha, beta]) expect((await api.get('/api/v1/datasets', { headers: agent.auth })).status()).toBe(200);

  await page.goto('/settings#notifications');
  const form = page.getByRole('form', { name: 'Notification settings' });
  const toggle = form.getByRole('checkbox', { name: 'Daily digest by email' });
  await expect(toggle).not.toBeChecked();
  await expect(form.getByLabel('Send the digest at')).toBeHidden();
  await toggle.check();
  await form.getByLabel('Send the digest at').selectOption('7');
  await shoot(page, 'settings-notifications-digest');
  // The section alone at phone width (the full page has the fixed header and tab bar over it).
  await page.setViewportSize({ width: 390, height: 844 });
  const digest = form.getByRole('group', { name: 'Daily digest' });
  await digest.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: '.leash-test/screenshots/settings-notifications-digest-section-phone.png', clip: (await digest.boundingBox())! });
  await page.setViewportSize({ width: 1280, height: 800 });
  await form.getByRole('button', { name: 'Save notification settings' }).click();
  await expect(form.getByText('Saved. Notifications follow these settings from now on.')).toBeVisible();
  const stored = async () => (await server.sql.query('SELECT preferences, digest_due_at FROM notification_settings WHERE user_id = $1', [alpha.userId])).rows[0];
  expect((await stored()).preferences.digest).toEqual({ enabled: true, hour: 7 });
  expect((await stored()).digest_due_at).not.toBeNull();
  await page.reload();
  await expect(toggle).toBeChecked();
  await expect(form.getByLabel('Send the digest at')).toHaveValue('7');

  // A preview now; its link for Alpha opens the audit screen with Alpha's rows only.
  await form.getByRole('button', { name: 'Send today’s digest now' }).click();
  await expect(form.getByText(`Digest: ${user.email}: sent, accepted by the SMTP server`)).toBeVisible();
  const mail = await smtp.waitFor((m) => m.to.includes(user.email) && m.subject.startsWith('Leash daily digest'));
  expect(mail.subject).toBe('Leash daily digest: 3 calls allowed, 0 refused');
  const link = new RegExp(`Alpha reader \\(id …${alpha.clientId.slice(-6)}\\)\\n  Calls: 2 allowed, 0 refused\\n  Its audit log for these 24 hours: (\\S+)`).exec(mail.text)?.[1];
  expect(link).toMatch(new RegExp(`^${server.baseURL}/audit\\?agent=${alpha.agentId}&from=`));
  await page.goto(link!);
  const events = page.getByRole('list', { name: 'Audit events' }).getByRole('listitem');
  await expect(events.filter({ hasText: 'List datasets' })).toHaveCount(2);
  for (const text of await events.allInnerTexts()) {
    expect(text).toContain('Alpha reader');
    expect(text).not.toContain('Beta reader');
  }
  await expect(page.getByText('Some filters in the address were not valid and were ignored.')).toBeHidden();

  // Off again: persisted, and the digest clock has nothing to look at.
  await page.goto('/settings#notifications');
  await toggle.uncheck();
  await form.getByRole('button', { name: 'Save notification settings' }).click();
  await expect(form.getByText('Saved. Notifications follow these settings from now on.')).toBeVisible();
  expect((await stored()).preferences.digest).toEqual({ enabled: false, hour: 7 });
  expect((await stored()).digest_due_at).toBeNull();
  await page.reload();
  await expect(toggle).not.toBeChecked();
  await api.dispose();
  await context.close();
});
