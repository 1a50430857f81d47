// Accounts over their life, in Chromium (issue 18, "Accounts"): changing the password, an
// administrator's one-time reset link for a forgotten one, and deleting the account while the
// audit log stays. Each asserts what the page says, the status codes and what the database holds.
import crypto from 'node:crypto';
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { createAccount, fillSignIn, sameOrigin, signedInPage, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken } from '../support/delegation';

const password = 'a-long-enough-passphrase';
const newPassword = 'a-brand-new-passphrase';
const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

async function userRow(email: string) {
  const { rows } = await testDb().query('SELECT id, password_hash, status FROM users WHERE email = $1', [email]);
  return rows[0] as { id: string; password_hash: string; status: string };
}

async function sessionsOf(userId: string) {
  const { rows } = await testDb().query('SELECT id, revoked_at FROM user_sessions WHERE user_id = $1 ORDER BY created_at', [userId]);
  return rows as { id: string; revoked_at: Date | null }[];
}

async function auditActions(userId: string, action: string) {
  const { rows } = await testDb().query('SELECT decision, reason, details FROM audit_events WHERE user_id = $1 AND action = $2 ORDER BY id', [userId, action]);
  return rows as { decision: string; reason: string; details: Record<string, unknown> }[];
}

/** Whether `email` / `secret` signs in (a fresh client address each time, so limits do not mix in). */
async function signsIn(page: Page, baseURL: string | undefined, email: string, secret: string) {
  const { error } = await signInOverHttp(page.context().request, baseURL, { email, password: secret }, uniqueIp());
  return error === null;
}

test('changing the password: the old one stops working, the other session ends, an audit row records it', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('change-pw'), password });
  const laptop = await signedInPage(browser, user.email);
  const phone = await signedInPage(browser, user.email);
  const { id } = await userRow(user.email);

  await laptop.goto('/settings');
  const form = laptop.getByRole('form', { name: 'Change password' });
  await expect(form).toContainText('Changing your password signs you out of every other browser and device; this one stays signed in.');
  await form.getByLabel('Current password').fill(password);
  await form.getByLabel('New password').fill(newPassword);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByRole('status')).toHaveText('Password changed. 1 other session was signed out.');

  // The other browser is signed out; this one is not.
  await phone.goto('/settings');
  await expect(phone).toHaveURL(/\/sign-in\?callbackUrl=%2Fsettings$/);
  await laptop.reload();
  await expect(laptop.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  const sessions = await sessionsOf(id);
  expect(sessions.map((s) => s.revoked_at === null)).toEqual([true, false]);

  expect(await signsIn(laptop, baseURL, user.email, password)).toBe(false);
  expect(await signsIn(laptop, baseURL, user.email, newPassword)).toBe(true);
  const audit = await auditActions(id, 'account.password_change');
  expect(audit).toEqual([{ decision: 'ALLOW', reason: 'password changed; 1 other session signed out', details: { endedSessions: 1 } }]);
  await laptop.context().close();
  await phone.context().close();
});

test('a wrong current password changes nothing and says so', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('wrong-pw'), password });
  const laptop = await signedInPage(browser, user.email);
  const phone = await signedInPage(browser, user.email);
  const before = await userRow(user.email);

  await laptop.goto('/settings');
  const form = laptop.getByRole('form', { name: 'Change password' });
  await form.getByLabel('Current password').fill('not-my-password');
  await form.getByLabel('New password').fill(newPassword);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByRole('alert')).toHaveText('Your current password is not right. Nothing was changed.');
  await expect(form.getByText('Not right.', { exact: true })).toBeVisible();

  // The same over HTTP: 400 with the field named; a too-short new password is refused too.
  const wrong = await laptop.request.post('/api/account/password', {
    headers: sameOrigin(baseURL),
    data: { current_password: 'still-not-my-password', new_password: newPassword },
  });
  expect(wrong.status()).toBe(400);
  expect(await wrong.json()).toEqual({
    error: 'invalid_request',
    message: 'Your current password is not right. Nothing was changed.',
    field_errors: { current_password: ['Not right.'] },
  });
  const weak = await laptop.request.post('/api/account/password', { headers: sameOrigin(baseURL), data: { current_password: password, new_password: 'short' } });
  expect(weak.status()).toBe(400);
  expect((await weak.json()).field_errors).toEqual({ new_password: ['Use at least 12 characters'] });
  expect((await request.post('/api/account/password', { headers: sameOrigin(baseURL), data: { current_password: password, new_password: newPassword } })).status()).toBe(401);

  const after = await userRow(user.email);
  expect(after.password_hash).toBe(before.password_hash);
  expect((await sessionsOf(before.id)).every((s) => s.revoked_at === null)).toBe(true);
  await phone.goto('/settings');
  await expect(phone.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  expect(await signsIn(laptop, baseURL, user.email, password)).toBe(true);
  expect((await auditActions(before.id, 'account.password_change')).map((r) => r.decision)).toEqual(['DENY', 'DENY']);
  await laptop.context().close();
  await phone.context().close();
});

/** A fresh account and a fresh administrator, each signed in in its own browser. */
async function userAndAdministrator(browser: Browser, request: APIRequestContext, baseURL: string | undefined) {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('forgetful'), password });
  const admin = await createAccount(request, baseURL, { email: uniqueEmail('reset-admin'), password });
  await testDb().query("UPDATE users SET role = 'ADMIN' WHERE email = $1", [admin.email]);
  return { user, admin, userPage: await signedInPage(browser, user.email), adminPage: await signedInPage(browser, admin.email), id: (await userRow(user.email)).id };
}

const LINK_UNUSABLE = 'This reset link has expired or was already used. Ask your administrator for a new one.';

test('“Forgot your password?” explains who resets it; only administrators make reset links', async ({ page, browser, request, baseURL }) => {
  await page.context().setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
  await expect(page.getByText('an administrator of this Leash resets passwords')).toBeVisible();
  // In development (http://localhost issuer, demo account on) the demo account is the administrator.
  await expect(page.getByTestId('development-admin')).toContainText('the administrator is the demo account, demo@leash.dev');
  const { rows } = await testDb().query("SELECT role FROM users WHERE email = 'demo@leash.dev'");
  expect(rows).toEqual([{ role: 'ADMIN' }]);

  const member = await createAccount(request, baseURL, { email: uniqueEmail('not-admin'), password });
  const memberPage = await signedInPage(browser, member.email);
  const refused = await memberPage.request.post('/api/admin/password-resets', { headers: sameOrigin(baseURL), data: { email: member.email } });
  expect(refused.status()).toBe(403);
  expect((await request.post('/api/admin/password-resets', { headers: sameOrigin(baseURL), data: { email: member.email } })).status()).toBe(401);
  const { rows: links } = await testDb().query('SELECT count(*)::int AS n FROM password_resets r JOIN users u ON u.id = r.user_id WHERE u.email = $1', [member.email]);
  expect(links).toEqual([{ n: 0 }]);
  await memberPage.goto('/settings');
  await expect(memberPage.getByRole('form', { name: 'Reset a password' })).toHaveCount(0);
  await memberPage.context().close();
});

test('an administrator’s reset link sets a new password once and ends every session', async ({ browser, request, baseURL }) => {
  const { user, admin, userPage, adminPage, id } = await userAndAdministrator(browser, request, baseURL);
  await adminPage.goto('/settings');
  const issuer = adminPage.getByRole('form', { name: 'Reset a password' });
  await issuer.getByLabel('Their email address').fill(user.email);
  await issuer.getByRole('button', { name: 'Make a reset link' }).click();
  const link = await issuer.getByRole('textbox', { name: 'Reset link' }).inputValue();
  expect(link).toMatch(new RegExp(`^${baseURL}/reset-password#lsh_pr_[0-9A-Za-z]{49}$`));
  const token = link.slice(link.indexOf('#') + 1);
  // Stored hashed, short-lived, audited with the administrator's id.
  const { rows: stored } = await testDb().query('SELECT token_hash, round(extract(epoch FROM expires_at - created_at) / 60)::int AS minutes, used_at FROM password_resets WHERE user_id = $1', [id]);
  expect(stored).toEqual([{ token_hash: sha256(token), minutes: 60, used_at: null }]);
  const { rows: adminRow } = await testDb().query('SELECT id FROM users WHERE email = $1', [admin.email]);
  expect((await auditActions(id, 'account.password_reset_issue'))[0]?.details).toMatchObject({ administrator: adminRow[0].id, voidedEarlierLinks: 0 });

  // The person opens the link signed out, sees whose password it sets, and chooses a new one.
  const visitor = await (await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': uniqueIp() } })).newPage();
  await visitor.goto(link);
  await expect(visitor.getByText(`For ${user.email}. This link works once.`)).toBeVisible();
  expect(new URL(visitor.url()).hash).toBe(''); // the secret left the address bar
  await visitor.getByLabel('New password').fill(newPassword);
  await visitor.getByRole('button', { name: 'Set new password' }).click();
  await expect(visitor.getByRole('status')).toContainText(`The password of ${user.email} is changed. Every browser that was signed in to this account has been signed out.`);
  await userPage.goto('/settings');
  await expect(userPage).toHaveURL(/\/sign-in\?callbackUrl=%2Fsettings$/);
  expect((await sessionsOf(id)).every((s) => s.revoked_at !== null)).toBe(true);
  expect((await auditActions(id, 'account.password_reset')).map((r) => r.decision)).toEqual(['ALLOW']);

  // Once only: the page and the route refuse the same link again, and nothing changes.
  const again = await visitor.context().newPage();
  await again.goto(link);
  await expect(again.getByRole('main').getByRole('alert')).toHaveText(LINK_UNUSABLE);
  const reuse = await request.post('/api/account/password-reset', { headers: sameOrigin(baseURL), data: { token, new_password: 'an-attacker-passphrase' } });
  expect(reuse.status()).toBe(404);
  expect(await signsIn(visitor, baseURL, user.email, password)).toBe(false);
  expect(await signsIn(visitor, baseURL, user.email, newPassword)).toBe(true);
  for (const page of [userPage, adminPage, visitor]) await page.context().close();
});

test('an expired reset link is refused and changes nothing', async ({ browser, request, baseURL }) => {
  const { user, userPage, adminPage, id } = await userAndAdministrator(browser, request, baseURL);
  const issued = await adminPage.request.post('/api/admin/password-resets', { headers: sameOrigin(baseURL), data: { email: user.email } });
  expect(issued.status()).toBe(201);
  const late = new URL((await issued.json()).url).hash.slice(1);
  await testDb().query("UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [sha256(late)]);
  const before = await userRow(user.email);

  const visitor = await (await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': uniqueIp() } })).newPage();
  await visitor.goto(`/reset-password#${late}`);
  await expect(visitor.getByRole('main').getByRole('alert')).toHaveText(LINK_UNUSABLE);
  const expired = await request.post('/api/account/password-reset', { headers: sameOrigin(baseURL), data: { token: late, new_password: 'an-attacker-passphrase' } });
  expect(expired.status()).toBe(404);
  expect(await expired.json()).toEqual({ error: 'not_found', message: LINK_UNUSABLE });
  expect((await userRow(user.email)).password_hash).toBe(before.password_hash);
  expect((await sessionsOf(id)).every((s) => s.revoked_at === null)).toBe(true);
  await userPage.goto('/settings');
  await expect(userPage.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  for (const page of [userPage, adminPage, visitor]) await page.context().close();
});

test('deleting the account: the confirmation says what goes and what stays; tokens die, the audit log stays, sign-in is refused', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('leaving'), password });
  const page = await signedInPage(browser, user.email);
  const other = await signedInPage(browser, user.email);
  const { id } = await userRow(user.email);
  const agent = await delegatedToken(page.request, baseURL!, 'datasets:read offline_access', {}, { signedInAs: user, agentName: 'Departing agent' });
  const call = await request.get('/api/v1/datasets', { headers: agent.auth });
  expect(call.status()).toBe(200);
  const { rows: auditBefore } = await testDb().query('SELECT id, action FROM audit_events WHERE user_id = $1 ORDER BY id', [id]);
  expect(auditBefore.map((r) => r.action)).toEqual(expect.arrayContaining(['consent.grant', 'token.issue', 'datasets.list']));

  await page.goto('/settings');
  await page.getByRole('button', { name: 'Delete account…' }).click();
  const form = page.getByRole('form', { name: 'Delete account' });
  await expect(form).toContainText(`Deleting ${user.email} cannot be undone.`);
  await expect(form.getByRole('heading', { name: 'Ends at once' })).toBeVisible();
  await expect(form).toContainText('all their tokens and API keys are revoked');
  await expect(form.getByRole('heading', { name: 'Deleted' })).toBeVisible();
  await expect(form).toContainText('Your workspace: reports, invoices, payments and workflow runs.');
  await expect(form.getByRole('heading', { name: 'Kept' })).toBeVisible();
  await expect(form).toContainText('The audit log of what you and your agents did');
  const submit = form.getByRole('button', { name: 'Delete my account' });
  await form.getByLabel('Your password').fill('not-my-password');
  await expect(submit).toBeDisabled(); // not before the typed confirmation
  await form.getByLabel('Type “delete my account” to confirm').fill('delete my account');
  await submit.click();
  await expect(form.getByRole('alert')).toHaveText('That password is not right. Nothing was deleted.');
  expect((await userRow(user.email)).status).toBe('ACTIVE');
  expect((await request.get('/api/v1/datasets', { headers: agent.auth })).status()).toBe(200);

  await form.getByLabel('Your password').fill(password);
  await submit.click();
  await expect(page).toHaveURL(/\/sign-in\?deleted=1$/);
  await expect(page.getByText('Your account is deleted and you are signed out.')).toBeVisible();

  // The agent's tokens are dead: the API answers 401 invalid_token, the refresh token is refused.
  const after = await request.get('/api/v1/datasets', { headers: agent.auth });
  expect(after.status()).toBe(401);
  expect(after.headers()['www-authenticate']).toContain('error="invalid_token"');
  const refresh = await request.post('/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: agent.refreshToken!, client_id: agent.clientId } });
  expect(refresh.status()).toBe(400);
  expect((await refresh.json()).error).toBe('invalid_grant');

  // The account is a tombstone; everything else of the person is gone or ended.
  const { rows: tombstone } = await testDb().query('SELECT email, name, status, deleted_at FROM users WHERE id = $1', [id]);
  expect(tombstone[0]).toEqual({ email: `deleted-${id}@deleted.invalid`, name: null, status: 'DELETED', deleted_at: expect.any(Date) });
  const { rows: counts } = await testDb().query(
    `SELECT (SELECT count(*)::int FROM user_sessions WHERE user_id = $1) AS sessions,
            (SELECT count(*)::int FROM tokens WHERE user_id = $1 AND revoked_at IS NULL) AS live_tokens,
            (SELECT count(*)::int FROM grants WHERE user_id = $1 AND (status <> 'REVOKED' OR remembered)) AS live_grants,
            (SELECT count(*)::int FROM reports WHERE user_id = $1) + (SELECT count(*)::int FROM invoices WHERE user_id = $1) AS workspace,
            (SELECT count(*)::int FROM policies WHERE user_id = $1) AS policies`,
    [id],
  );
  expect(counts[0]).toEqual({ sessions: 0, live_tokens: 0, live_grants: 0, workspace: 0, policies: 0 });

  // The audit log is kept: every earlier row, unchanged, and the deletion itself.
  const { rows: auditAfter } = await testDb().query('SELECT id, action FROM audit_events WHERE user_id = $1 ORDER BY id', [id]);
  expect(auditAfter.slice(0, auditBefore.length)).toEqual(auditBefore);
  expect(auditAfter.map((r) => r.action)).toContain('account.delete');

  // Signed out everywhere, and sign-in is refused with the generic answer.
  await other.goto('/settings');
  await expect(other).toHaveURL(/\/sign-in\?callbackUrl=%2Fsettings$/);
  await fillSignIn(page, user.email, password);
  await expect(page.locator('form').getByRole('alert')).toHaveText('Incorrect email or password.');
  await page.context().close();
  await other.context().close();
});
