// The consent screen in Chromium, driven the way a person uses it. The agent's redirect URI is
// intercepted (no network here), so the test sees exactly where the browser is sent.
// @see 7d26b81 (Consent in Chromium and interop): the commit whose behaviour these tests guard.
import { expect, test, type Page } from '@playwright/test';
import { createAccount, fillSignIn, uniqueEmail, uniqueIp } from '../support/accounts';
import { AGENT_CALLBACK, authorizeUrl, exchangeCode, pkce, registerPublicAgent, type RegisteredClient } from '../support/oauth';

const password = 'a-long-enough-passphrase';

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
  await context.route('https://agent.example/**', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'agent callback' }));
});

async function startAuthorization(page: Page, baseURL: string, client: RegisteredClient, extra: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  // A server-side redirect straight to the agent is not intercepted by route() and fails to
  // resolve here; callers that expect one watch for the request instead.
  await page
    .goto(
      authorizeUrl(baseURL, {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: AGENT_CALLBACK,
        scope: 'datasets:read reports:write',
        state: 'browser-state',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        ...extra,
      }),
    )
    .catch(() => {});
  return verifier;
}

function nextAgentCallback(page: Page) {
  return page.waitForRequest((r) => r.url().startsWith(`${AGENT_CALLBACK}?`));
}

async function signInHere(page: Page, email: string) {
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fconsent%2F/);
  await fillSignIn(page, email, password);
  await expect(page).toHaveURL(/\/consent\//);
}

function callbackParams(page: Page) {
  return Object.fromEntries(new URL(page.url()).searchParams);
}

test('consent shows who asks and for what; unticking a scope yields a token without it', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('consent'), password });
  const client = await registerPublicAgent(request, { client_name: 'Expense <img src=x onerror=alert(1)> bot' });
  const verifier = await startAuthorization(page, baseURL!, client);
  await signInHere(page, user.email);

  await expect(page.getByTestId('agent-name')).toHaveText('Expense <img src=x onerror=alert(1)> bot');
  await expect(page.getByText('Self-registered · identity not verified')).toBeVisible();
  await expect(page.getByTestId('redirect-host')).toHaveText('agent.example');
  await expect(page.getByText('List and query your datasets')).toBeVisible();
  await expect(page.getByText('Create and update your reports')).toBeVisible();
  // The agent registered the refresh_token grant, so staying connected is offered though it did
  // not ask for offline_access (MCP SDK 1.x never does); the person can untick it like any scope.
  await expect(page.getByText('Stay connected when you are away (refresh tokens)')).toBeVisible();
  await expect(page.getByText('medium risk')).toHaveCount(2);
  await expect(page.getByText('10 minutes at a time, renewable for up to 30 days')).toBeVisible();
  expect(await page.locator('img[src="x"]').count()).toBe(0);

  await page.getByRole('checkbox', { name: /Create and update your reports/ }).uncheck();
  await page.getByRole('checkbox', { name: /Stay connected/ }).uncheck();
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/^https:\/\/agent\.example\/callback\?/);
  const params = callbackParams(page);
  expect(params.state).toBe('browser-state');
  expect(params.iss).toBe(baseURL);
  const tokens = await (await exchangeCode(request, client, params.code!, verifier)).json();
  expect(tokens.scope).toBe('datasets:read');
  expect(tokens.refresh_token).toBeUndefined();
});

test('Deny returns access_denied to the agent', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('deny'), password });
  const client = await registerPublicAgent(request);
  await startAuthorization(page, baseURL!, client);
  await signInHere(page, user.email);
  await page.getByRole('button', { name: 'Deny' }).click();
  await expect(page).toHaveURL(/^https:\/\/agent\.example\/callback\?/);
  expect(callbackParams(page)).toMatchObject({ error: 'access_denied', state: 'browser-state', iss: baseURL });
});

test('a remembered consent skips the screen for the same agent and scopes, not for more', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('remember'), password });
  const client = await registerPublicAgent(request);
  await startAuthorization(page, baseURL!, client);
  await signInHere(page, user.email);
  await page.getByLabel(/Remember this decision/).check();
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/^https:\/\/agent\.example\/callback\?code=/);

  const skipped = nextAgentCallback(page);
  await startAuthorization(page, baseURL!, client);
  expect(new URL((await skipped).url()).searchParams.get('code')).toMatch(/^lsh_ac_/);

  await startAuthorization(page, baseURL!, client, { scope: 'datasets:read reports:write invoices:read' });
  await expect(page).toHaveURL(/\/consent\//);
  await expect(page.getByText('Read your invoices')).toBeVisible();
});

test('a localhost agent gets a warning; a payment request is described in words', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('native'), password });
  // Registered as MCP hosts do, with no application_type: a loopback-only client is read as native
  // (RFC 8252 §7.3), so it may come back on any port.
  const client = await registerPublicAgent(request, {
    redirect_uris: ['http://127.0.0.1/callback'],
    scope: 'payments:write invoices:read',
  });
  await startAuthorization(page, baseURL!, client, {
    redirect_uri: 'http://127.0.0.1:47001/callback',
    scope: 'payments:write',
    authorization_details: JSON.stringify([{ type: 'payment_initiation', instructedAmount: { currency: 'USD', amount: '1250.00' }, creditorName: 'ACME Ltd' }]),
  });
  await signInHere(page, user.email);
  await expect(page.getByText('This agent runs on a computer (localhost)')).toBeVisible();
  await expect(page.getByText('Pay $1,250.00 to ACME Ltd')).toBeVisible();
  await expect(page.getByText('high risk')).toBeVisible();
});

test('an expired or already answered request says so', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('stale'), password });
  const client = await registerPublicAgent(request);
  await startAuthorization(page, baseURL!, client);
  await signInHere(page, user.email);
  const consentUrl = page.url();
  await page.getByRole('button', { name: 'Deny' }).click();
  await expect(page).toHaveURL(/agent\.example/);
  await page.goto(consentUrl);
  await expect(page.getByRole('heading', { name: 'This request is no longer valid' })).toBeVisible();
});
