// The device authorization grant (RFC 8628) with oauth4webapi as the headless agent and Chromium
// as the person: code entry, sign-in and the normal consent screen; polling answers
// authorization_pending, slow_down, access_denied, expired_token as §3.5 says, tokens once.
// @see 005c22b (Device authorization grant (RFC 8628)): the commit whose behaviour these tests guard.
import * as oauth from 'oauth4webapi';
import { expect, test } from '@playwright/test';
import { createAccount, fillSignIn, uniqueEmail, uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { registerClient } from '../support/oauth';

const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';
const password = 'a-long-enough-passphrase';
const insecure = { [oauth.allowInsecureRequests]: true };

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
});

async function headlessAgent(request: Parameters<typeof registerClient>[0], baseURL: string) {
  const registered = await registerClient(request, {
    client_name: 'Terminal agent',
    grant_types: [DEVICE, 'refresh_token'],
    token_endpoint_auth_method: 'none',
    scope: 'datasets:read offline_access',
  });
  const issuer = new URL(baseURL);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }));
  const client: oauth.Client = { client_id: registered.client_id };
  const auth = oauth.None();
  const start = async () => oauth.processDeviceAuthorizationResponse(as, client, await oauth.deviceAuthorizationRequest(as, client, auth, { scope: 'datasets:read offline_access' }, insecure));
  const poll = async (deviceCode: string) => {
    try {
      return { tokens: await oauth.processDeviceCodeResponse(as, client, await oauth.deviceCodeGrantRequest(as, client, auth, deviceCode, insecure)) };
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError) return { error: error.error };
      throw error;
    }
  };
  return { as, start, poll };
}

/** Lets the next poll through, as if the interval had passed. */
const intervalPassed = (userCode: string) => testDb().query("UPDATE authorization_requests SET last_polled_at = now() - interval '1 minute' WHERE user_code = $1", [userCode.replace('-', '')]);

test('a headless agent gets tokens after the person types its code, signs in and allows it', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('device'), password });
  const agent = await headlessAgent(request, baseURL!);
  expect(agent.as.device_authorization_endpoint).toBe(`${baseURL}/oauth/device_authorization`);
  const started = await agent.start();
  expect(started).toMatchObject({ verification_uri: `${baseURL}/device`, expires_in: 600, interval: 5 });
  expect(started.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);

  expect(await agent.poll(started.device_code)).toEqual({ error: 'authorization_pending' });
  expect(await agent.poll(started.device_code)).toEqual({ error: 'slow_down' }); // too soon
  const { rows } = await testDb().query('SELECT poll_interval_seconds FROM authorization_requests WHERE user_code = $1', [started.user_code.replace('-', '')]);
  expect(rows[0].poll_interval_seconds).toBe(10); // §3.5: five seconds more

  // The person: code entry (typed in lower case, without the dash), sign-in, consent.
  await page.goto('/device');
  await fillSignIn(page, user.email, password);
  await expect(page).toHaveURL(/\/device$/);
  await page.getByLabel('Code').fill(started.user_code.replace('-', '').toLowerCase());
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/consent\//);
  await expect(page.getByTestId('agent-name')).toHaveText('Terminal agent');
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page.getByRole('heading', { name: 'Device connected' })).toBeVisible();

  await intervalPassed(started.user_code);
  const done = await agent.poll(started.device_code);
  expect(done.tokens).toMatchObject({ token_type: 'bearer', scope: 'datasets:read offline_access' });
  expect(done.tokens!.refresh_token).toBeTruthy();
  expect((await request.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${done.tokens!.access_token}` } })).status()).toBe(200);
  await intervalPassed(started.user_code);
  expect(await agent.poll(started.device_code)).toEqual({ error: 'invalid_grant' }); // collected once
});

test('a denied request answers access_denied, an expired one expired_token, and wrong codes are limited', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('device-deny'), password });
  const agent = await headlessAgent(request, baseURL!);
  const denied = await agent.start();
  await page.goto(denied.verification_uri_complete!);
  await fillSignIn(page, user.email, password);
  await expect(page).toHaveURL(/\/consent\//);
  await page.getByRole('button', { name: 'Deny' }).click();
  await expect(page.getByRole('heading', { name: 'Access denied' })).toBeVisible();
  expect(await agent.poll(denied.device_code)).toEqual({ error: 'access_denied' });

  const expired = await agent.start();
  await testDb().query("UPDATE authorization_requests SET expires_at = now() - interval '1 second' WHERE user_code = $1", [expired.user_code.replace('-', '')]);
  expect(await agent.poll(expired.device_code)).toEqual({ error: 'expired_token' });
  await page.goto(`/device?user_code=${expired.user_code}`);
  await expect(page.getByText('That code is not valid, or it has expired.')).toBeVisible();

  for (let i = 0; i < 9; i++) await page.request.get('/device?user_code=BBBB-BBBB');
  await page.goto('/device?user_code=BBBB-BBBB');
  await expect(page.getByText(/Too many wrong codes\./)).toBeVisible();
  const valid = await agent.start(); // even a right code waits now
  await page.goto(`/device?user_code=${valid.user_code}`);
  await expect(page.getByText(/Too many wrong codes\./)).toBeVisible();
});
