// Accounts for tests: each test makes its own, so tests never share rate-limit counters or state.
import crypto from 'node:crypto';
import { expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';

export const DEMO = { email: 'demo@leash.dev', password: 'correct-horse-battery' };

export function uniqueEmail(label: string): string {
  return `${label}-${crypto.randomBytes(5).toString('hex')}@example.test`;
}

/** A fresh client IP per test (the test server trusts one proxy hop: LEASH_TRUSTED_PROXIES=1). */
export function uniqueIp(): string {
  const b = crypto.randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

export function sameOrigin(baseURL: string | undefined): Record<string, string> {
  return { Origin: new URL(baseURL ?? 'http://localhost').origin };
}

export async function createAccount(request: APIRequestContext, baseURL: string | undefined, account: { email: string; password: string; name?: string }) {
  const response = await request.post('/api/account/sign-up', {
    data: account,
    headers: { ...sameOrigin(baseURL), 'X-Forwarded-For': uniqueIp() },
  });
  expect(response.status(), await response.text()).toBe(201);
  return account;
}

/**
 * Signs in through next-auth's credentials endpoint the way its browser client does: fetch the
 * CSRF token (double-submit cookie), then post the form. Returns the `error` code, or null.
 */
export async function signInOverHttp(
  request: APIRequestContext,
  baseURL: string | undefined,
  credentials: { email: string; password: string },
  ip: string,
): Promise<{ error: string | null; status: number }> {
  const headers = { ...sameOrigin(baseURL), 'X-Forwarded-For': ip };
  const csrf = await request.get('/api/auth/csrf', { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await request.post('/api/auth/callback/credentials', {
    headers,
    form: { ...credentials, csrfToken, json: 'true' },
    maxRedirects: 0,
  });
  const body = (await response.json().catch(() => ({}))) as { url?: string };
  const error = body.url ? new URL(body.url).searchParams.get('error') : null;
  return { error, status: response.status() };
}

/** A fresh browser context signed in as `email` (its own client address unless `ip` is given). */
export async function signedInPage(browser: Browser, email: string, options: { password?: string; baseURL?: string; ip?: string; acceptDownloads?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    extraHTTPHeaders: { 'X-Forwarded-For': options.ip ?? uniqueIp() },
    acceptDownloads: options.acceptDownloads ?? false,
  });
  const page = await context.newPage();
  await signInInBrowser(page, email, options.password);
  return page;
}

/** The password tests give the accounts they create. */
export const TEST_PASSWORD = 'a-long-enough-passphrase';

/** Fills in and submits the sign-in form the page shows (at /sign-in, or where a flow sent it). */
export async function fillSignIn(page: Page, email: string, password = TEST_PASSWORD): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs the page in from /sign-in; it lands on Agents. */
export async function signInInBrowser(page: Page, email: string, password = TEST_PASSWORD): Promise<void> {
  await page.goto('/sign-in');
  await fillSignIn(page, email, password);
  await expect(page).toHaveURL(/\/agents$/);
}
