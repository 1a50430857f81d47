// Step-up (RFC 9470) end to end: the user enrols an authenticator app; an agent's dispute is
// refused with insufficient_user_authentication naming acr_values; the agent asks again with those
// acr_values, the user proves the second factor on the step-up page before consenting, and the new
// token (acr mfa) passes. A code is never accepted twice; a recovery code works once.
// @see f414a5a (Step-up with TOTP (otplib)): the commit whose behaviour these tests guard.
import { expect, test, type Page } from '@playwright/test';
import { createAccount, signInInBrowser, TEST_PASSWORD as password, uniqueEmail, uniqueIp } from '../support/accounts';
import { totpCode } from '../support/approvals';
import { addPasskey } from '../support/passkeys';
import { testDb } from '../support/db';
import { AGENT_CALLBACK, authorizeUrl, exchangeCode, pkce, registerPublicAgent } from '../support/oauth';

const MFA = 'urn:leash:acr:mfa';

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
  await context.route('https://agent.example/**', (route) => route.fulfill({ status: 200, body: 'ok' }));
});

async function authorizeInBrowser(page: Page, baseURL: string, clientId: string, extra: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  await page.goto(
    authorizeUrl(baseURL, { response_type: 'code', client_id: clientId, redirect_uri: AGENT_CALLBACK, scope: 'invoices:write', code_challenge: challenge, code_challenge_method: 'S256', ...extra }),
  );
  return verifier;
}

test('a dispute needing a second factor passes after the user steps up during re-authorization', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('stepup'), password });
  await signInInBrowser(page, user.email);

  // Enrol the authenticator app in Settings.
  await page.goto('/settings');
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  await page.getByLabel('Code from the app').fill('000000');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('That code is not right')).toBeVisible();
  const enrolmentCode = await totpCode(secret, 0);
  await page.getByLabel('Code from the app').fill(enrolmentCode);
  await page.getByRole('button', { name: 'Confirm' }).click();
  const recovery = page.getByRole('list', { name: 'Recovery codes' });
  await expect(recovery.getByRole('listitem')).toHaveCount(10);
  const recoveryCode = (await recovery.getByRole('listitem').first().textContent())!.trim();
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await expect(page.getByText(/Authenticator app · on since/)).toBeVisible();

  // A password-only token: the dispute needs more (the default policy's step-up tier).
  const agent = await registerPublicAgent(request);
  let verifier = await authorizeInBrowser(page, baseURL!, agent.client_id);
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/^https:\/\/agent\.example\/callback\?/);
  let tokens = await (await exchangeCode(request, agent, new URL(page.url()).searchParams.get('code')!, verifier)).json();
  const { rows } = await testDb().query('SELECT id FROM invoices WHERE user_id = (SELECT id FROM users WHERE email = $1) AND status = $2 LIMIT 1', [user.email, 'OPEN']);
  const dispute = (token: string) => request.post(`/api/v1/invoices/${rows[0].id}/dispute`, { headers: { Authorization: `Bearer ${token}` }, data: { reason: 'Charged twice.' } });
  const challenged = await dispute(tokens.access_token);
  expect(challenged.status()).toBe(401);
  expect(challenged.headers()['www-authenticate']).toContain('error="insufficient_user_authentication"');
  expect(challenged.headers()['www-authenticate']).toContain(`acr_values="${MFA}"`);

  // The agent asks again with the challenged acr_values: the user steps up, then consents.
  verifier = await authorizeInBrowser(page, baseURL!, agent.client_id, { acr_values: MFA });
  await expect(page).toHaveURL(/\/step-up\?/);
  await page.getByLabel('Code').fill(enrolmentCode); // already used
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('That code is not right, or it was already used.')).toBeVisible();
  await page.getByLabel('Code').fill(await totpCode(secret, 1));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/^https:\/\/agent\.example\/callback\?/);
  tokens = await (await exchangeCode(request, agent, new URL(page.url()).searchParams.get('code')!, verifier)).json();
  const passed = await dispute(tokens.access_token);
  expect(passed.status(), await passed.text()).toBe(200);
  const session = await testDb().query("SELECT acr, amr FROM tokens WHERE token_hash = encode(sha256($1::bytea), 'hex')", [tokens.access_token]);
  expect(session.rows[0]).toEqual({ acr: MFA, amr: ['pwd', 'otp'] });

  // A recovery code works once, on a fresh session.
  const other = await page
    .context()
    .browser()!
    .newContext({ extraHTTPHeaders: { 'X-Forwarded-For': uniqueIp() } });
  const phone = await other.newPage();
  await signInInBrowser(phone, user.email);
  const stepUp = (code: string) => phone.request.post('/api/account/step-up', { headers: { Origin: new URL(baseURL!).origin }, data: { code } });
  expect((await stepUp(recoveryCode)).status()).toBe(200);
  expect((await stepUp(recoveryCode)).status()).toBe(400);
  await other.close();
});

test('prompt=login and max_age make the user confirm their password before consenting; auth_time moves', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('reauth'), password });
  await signInInBrowser(page, user.email);
  const agent = await registerPublicAgent(request);
  for (const extra of [{ prompt: 'login' }, { max_age: '0' }] as Record<string, string>[]) {
    const before = await testDb().query('SELECT max(auth_time) AS t FROM user_sessions WHERE user_id = (SELECT id FROM users WHERE email = $1)', [user.email]);
    await new Promise((r) => setTimeout(r, 1100)); // max_age is in whole seconds
    const verifier = await authorizeInBrowser(page, baseURL!, agent.client_id, extra);
    await expect(page).toHaveURL(/\/step-up\?reauth=1/);
    await page.getByLabel('Password').fill('not-my-password');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByText('That password is not right.')).toBeVisible();
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await expect(page).toHaveURL(/^https:\/\/agent\.example\/callback\?/);
    const tokens = await (await exchangeCode(request, agent, new URL(page.url()).searchParams.get('code')!, verifier)).json();
    const { rows } = await testDb().query("SELECT auth_time FROM tokens WHERE token_hash = encode(sha256($1::bytea), 'hex')", [tokens.access_token]);
    expect(rows[0].auth_time.getTime()).toBeGreaterThan(before.rows[0].t.getTime());
  }
});

test('a passkey (Chromium virtual authenticator) is enrolled and answers a phishing-resistant step-up', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('passkey'), password });
  await signInInBrowser(page, user.email);
  await addPasskey(page);
  await expect(page.getByRole('list', { name: 'Passkeys' }).getByRole('listitem')).toHaveCount(1);

  const agent = await registerPublicAgent(request);
  const verifier = await authorizeInBrowser(page, baseURL!, agent.client_id, { acr_values: 'urn:leash:acr:phr' });
  await expect(page).toHaveURL(/\/step-up\?/);
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/^https:\/\/agent\.example\/callback\?/);
  const tokens = await (await exchangeCode(request, agent, new URL(page.url()).searchParams.get('code')!, verifier)).json();
  const { rows } = await testDb().query("SELECT acr, amr FROM tokens WHERE token_hash = encode(sha256($1::bytea), 'hex')", [tokens.access_token]);
  expect(rows[0]).toEqual({ acr: 'urn:leash:acr:phr', amr: ['pwd', 'hwk', 'user'] });
  const audit = await testDb().query("SELECT reason FROM audit_events WHERE user_id = (SELECT id FROM users WHERE email = $1) AND action = 'session.step_up'", [user.email]);
  expect(audit.rows).toEqual([{ reason: 'second factor verified (passkey)' }]);
});
