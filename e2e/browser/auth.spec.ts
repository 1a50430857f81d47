// @see 4fec91b (Foundation): the commit whose behaviour these tests guard.
import { expect, test, type Page } from '@playwright/test';
import { createAccount, DEMO, fillSignIn, uniqueEmail, uniqueIp } from '../support/accounts';

const password = 'a-long-enough-passphrase';

// Each test gets its own client address (the test server trusts one proxy hop), so sign-in rate
// limits of one test never affect another.
test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
});

// The form's own alert (Next also renders an empty route-announcer with role=alert).
const formError = (page: Page) => page.locator('form').getByRole('alert');

test('a signed-out visitor is sent to sign-in and comes back after signing in', async ({ page }) => {
  await page.goto('/tokens');
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Ftokens$/);
  await expect(page.getByRole('heading', { name: 'Sign in to Leash' })).toBeVisible();
  await fillSignIn(page, DEMO.email, DEMO.password);
  await expect(page).toHaveURL(/\/tokens$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Tokens' })).toBeVisible();
});

test('a new account sees the dashboard shell with every section and its empty state', async ({ page, request, baseURL }) => {
  // Not the demo account: other tests connect agents to it, so its sections are not empty.
  const user = await createAccount(request, baseURL, { email: uniqueEmail('shell'), password });
  await page.goto('/sign-in');
  await fillSignIn(page, user.email, password);
  await expect(page).toHaveURL(/\/agents$/);
  await expect(page.getByTestId('current-user-email')).toHaveText(user.email);
  const nav = page.getByRole('navigation', { name: 'Main' }).first();
  const sections: [string, string][] = [
    ['Agents', 'No agents connected yet'],
    ['Tokens', 'No active tokens'],
    ['Approvals', 'Nothing waiting for you'],
    ['Audit', 'No activity recorded yet'],
  ];
  for (const [label, empty] of sections) {
    await nav.getByRole('link', { name: label }).click();
    await expect(page).toHaveURL(new RegExp(`/${label.toLowerCase()}$`));
    await expect(page.getByRole('heading', { level: 1, name: label })).toBeVisible();
    await expect(page.getByRole('heading', { name: empty })).toBeVisible();
    await expect(nav.getByRole('link', { name: label })).toHaveAttribute('aria-current', 'page');
  }
  await nav.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('button', { name: 'Set up an authenticator app' })).toBeVisible();
  await expect(page.getByText('Used: password')).toBeVisible();
});

test('a wrong password shows one generic message and stays signed out', async ({ page }) => {
  await page.goto('/sign-in');
  await fillSignIn(page, DEMO.email, 'not-the-demo-password');
  await expect(formError(page)).toHaveText('Incorrect email or password.');
  await fillSignIn(page, uniqueEmail('nobody'), 'not-the-demo-password');
  await expect(formError(page)).toHaveText('Incorrect email or password.');
  await page.goto('/agents');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('repeated failures lock the account with a clear message', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('ui-lock'), password });
  await page.goto('/sign-in');
  for (let i = 0; i < 5; i++) {
    await fillSignIn(page, user.email, `wrong-password-${i}`);
    await expect(formError(page)).toHaveText('Incorrect email or password.');
  }
  await fillSignIn(page, user.email, password);
  await expect(formError(page)).toHaveText(/^Too many failed sign-in attempts\. Try again in \d+ minutes?\.$/);
  await expect(page).toHaveURL(/\/sign-in/);
});

test('sign-up creates the account and signs it in; a second sign-up with the email is refused', async ({ page }) => {
  const email = uniqueEmail('ui-signup');
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Name').fill('Grace');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Use at least 12 characters')).toBeVisible();
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/agents$/);
  await expect(page.getByTestId('current-user-email')).toHaveText(email);

  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto('/sign-up');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(formError(page)).toHaveText('An account with this email already exists. Sign in instead.');
});

test('sign-out ends the session: the dashboard asks to sign in again', async ({ page }) => {
  await page.goto('/sign-in');
  await fillSignIn(page, DEMO.email, DEMO.password);
  await expect(page).toHaveURL(/\/agents$/);
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto('/settings');
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fsettings$/);
});

test('an off-site callbackUrl is ignored after sign-in (no open redirect)', async ({ page }) => {
  await page.goto('/sign-in?callbackUrl=https://evil.example/phish');
  await fillSignIn(page, DEMO.email, DEMO.password);
  await expect(page).toHaveURL(/\/agents$/);
});
