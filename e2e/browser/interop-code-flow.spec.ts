// Interoperability of the authorization code flow: real third-party clients build the request,
// a real browser signs in and consents, the clients validate the response (state, iss) and
// exchange the code with PKCE, then refresh.
// @see 7d26b81 (Consent in Chromium and interop): the commit whose behaviour these tests guard.
import { expect, test, type Page } from '@playwright/test';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { createAccount, fillSignIn, uniqueEmail, uniqueIp } from '../support/accounts';

const password = 'a-long-enough-passphrase';
const CALLBACK = 'https://agent.example/callback';

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
  await context.route('https://agent.example/**', (route) => route.fulfill({ status: 200, body: 'ok' }));
});

async function consentInBrowser(page: Page, url: URL, email: string): Promise<URL> {
  await page.goto(url.toString());
  await fillSignIn(page, email, password);
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/^https:\/\/agent\.example\/callback\?/);
  return new URL(page.url());
}

test('oauth4webapi: registration, authorization code with PKCE through the consent page, refresh', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('o4w'), password });
  const issuer = new URL(baseURL!);
  const insecure = { [oauth.allowInsecureRequests]: true };
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }));
  const registered = await oauth.processDynamicClientRegistrationResponse(
    await oauth.dynamicClientRegistrationRequest(
      as,
      { client_name: 'oauth4webapi agent', redirect_uris: [CALLBACK], grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none' },
      insecure,
    ),
  );
  const agent: oauth.Client = { client_id: registered.client_id, token_endpoint_auth_method: 'none' };

  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  url.searchParams.set('client_id', agent.client_id);
  url.searchParams.set('redirect_uri', CALLBACK);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', 'reports:read offline_access');
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');

  const callback = await consentInBrowser(page, url, user.email);
  // Checks state, and iss against the discovered issuer (RFC 9207).
  const params = oauth.validateAuthResponse(as, agent, callback, state);
  const tokens = await oauth.processAuthorizationCodeResponse(as, agent, await oauth.authorizationCodeGrantRequest(as, agent, oauth.None(), params, CALLBACK, verifier, insecure));
  expect(tokens.scope).toBe('offline_access reports:read');
  expect(tokens.refresh_token).toMatch(/^lsh_rt_/);

  const refreshed = await oauth.processRefreshTokenResponse(as, agent, await oauth.refreshTokenGrantRequest(as, agent, oauth.None(), tokens.refresh_token!, insecure));
  expect(refreshed.access_token).not.toBe(tokens.access_token);
  expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
});

test('openid-client: authorization code with PKCE and state through the consent page', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('oidc-client'), password });
  const config = await client.dynamicClientRegistration(
    new URL(baseURL!),
    { client_name: 'openid-client agent', redirect_uris: [CALLBACK], grant_types: ['authorization_code'], token_endpoint_auth_method: 'none' },
    client.None(),
    { algorithm: 'oauth2', execute: [client.allowInsecureRequests] },
  );
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'datasets:read',
    state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const callback = await consentInBrowser(page, url, user.email);
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  expect(tokens.scope).toBe('datasets:read');
  expect(tokens.refresh_token).toBeUndefined();
});
