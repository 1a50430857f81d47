// The consent screen's details (issue 18): the agent's website, privacy policy and terms (RFC 7591
// §2 client_uri, policy_uri, tos_uri) as links the agent provided, only when it registered them;
// and "Not you? Switch account", which signs out and comes back to the same request as whoever
// signs in next. The agent's redirect URI is intercepted (no network here).
import { expect, test, type Page } from '@playwright/test';
import { createAccount, fillSignIn, uniqueEmail, uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { AGENT_CALLBACK, authorizeUrl, exchangeCode, pkce, registerClient, registerPublicAgent, type RegisteredClient } from '../support/oauth';

const password = 'a-long-enough-passphrase';

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
  await context.route('https://agent.example/**', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'agent page' }));
});

async function openConsentAs(page: Page, baseURL: string, client: RegisteredClient, email: string) {
  const { verifier, challenge } = pkce();
  await page.goto(
    authorizeUrl(baseURL, {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: AGENT_CALLBACK,
      scope: 'datasets:read',
      state: 'details-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
  );
  await signIn(page, email);
  await expect(page).toHaveURL(/\/consent\/[^/?]+$/);
  return verifier;
}

async function signIn(page: Page, email: string) {
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fconsent%2F/);
  await fillSignIn(page, email, password);
}

test('the agent’s website, privacy policy and terms are shown as its own links when registered, and not otherwise', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('links'), password });
  const linked = await registerPublicAgent(request, {
    client_name: 'Linked assistant',
    client_uri: 'https://agent.example/',
    policy_uri: 'https://agent.example/privacy',
    tos_uri: 'https://agent.example/terms',
  });
  expect(linked).toMatchObject({ client_uri: 'https://agent.example/', policy_uri: 'https://agent.example/privacy', tos_uri: 'https://agent.example/terms' });
  const bare = await registerPublicAgent(request, { client_name: 'Bare assistant' });
  // Only https links are accepted at registration, and a stored one that is not https is not shown.
  const refused = await request.post('/oauth/register', {
    headers: { 'X-Forwarded-For': uniqueIp() },
    data: { client_name: 'Sly', redirect_uris: [AGENT_CALLBACK], token_endpoint_auth_method: 'none', policy_uri: 'javascript:alert(1)' },
  });
  expect(refused.status()).toBe(400);
  expect((await refused.json()).error).toBe('invalid_client_metadata');
  const tampered = await registerClient(request, {
    client_name: 'Tampered assistant',
    redirect_uris: [AGENT_CALLBACK],
    token_endpoint_auth_method: 'none',
    tos_uri: 'https://agent.example/terms',
  });
  await testDb().query(`UPDATE agents SET metadata = jsonb_set(metadata, '{tos_uri}', '"javascript:alert(1)"'), client_uri = 'http://agent.example/' WHERE client_id = $1`, [tampered.client_id]);

  await openConsentAs(page, baseURL!, linked, user.email);

  const links = page.getByRole('list', { name: 'Links provided by Linked assistant' });
  await expect(page.getByText('Provided by the agent, not checked by Leash:')).toBeVisible();
  for (const [name, href] of [
    ['Website', 'https://agent.example/'],
    ['Privacy policy', 'https://agent.example/privacy'],
    ['Terms of service', 'https://agent.example/terms'],
  ] as const) {
    const link = links.getByRole('link', { name });
    await expect(link).toHaveAttribute('href', href);
    await expect(link).toHaveAttribute('rel', 'noopener noreferrer nofollow');
    await expect(link).toHaveAttribute('target', '_blank');
  }

  // An agent that registered none of them gets no links, and no empty "provided by" line.
  await page.context().clearCookies();
  await openConsentAs(page, baseURL!, bare, user.email);
  await expect(page.getByTestId('agent-name')).toHaveText('Bare assistant');
  await expect(page.getByTestId('agent-links')).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Privacy policy' })).toHaveCount(0);

  // The tampered record (a javascript: terms link, an http website) shows no links at all.
  await page.context().clearCookies();
  await openConsentAs(page, baseURL!, tampered, user.email);
  await expect(page.getByTestId('agent-name')).toHaveText('Tampered assistant');
  await expect(page.getByTestId('agent-links')).toHaveCount(0);
});

test('“Not you? Switch account” signs out and returns to the same consent as the other person, who decides it', async ({ page, request, baseURL }) => {
  const first = await createAccount(request, baseURL, { email: uniqueEmail('not-me'), password });
  const second = await createAccount(request, baseURL, { email: uniqueEmail('me-instead'), password });
  const client = await registerPublicAgent(request, { client_name: 'Shared laptop agent' });
  const verifier = await openConsentAs(page, baseURL!, client, first.email);
  const consentPath = new URL(page.url()).pathname;
  const requestId = consentPath.split('/').pop()!;
  await expect(page.getByText(`wants to act for ${first.email} with these permissions:`)).toBeVisible();
  const { rows: bound } = await testDb().query('SELECT u.email FROM authorization_requests r JOIN users u ON u.id = r.user_id WHERE r.id = $1', [requestId]);
  expect(bound).toEqual([{ email: first.email }]);

  await page.getByText('Not you?').getByRole('button', { name: 'Switch account' }).click();
  await expect(page).toHaveURL(`${baseURL}/sign-in?callbackUrl=${encodeURIComponent(consentPath)}`);
  // Signed out on the server, and the request belongs to no one until someone opens it again.
  const { rows: released } = await testDb().query('SELECT user_id, status FROM authorization_requests WHERE id = $1', [requestId]);
  expect(released).toEqual([{ user_id: null, status: 'PENDING' }]);
  const { rows: firstSessions } = await testDb().query('SELECT count(*)::int AS live FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1 AND s.revoked_at IS NULL', [first.email]);
  expect(firstSessions).toEqual([{ live: 0 }]);

  await fillSignIn(page, second.email, password);
  await expect(page).toHaveURL(`${baseURL}${consentPath}`);
  await expect(page.getByText(`wants to act for ${second.email} with these permissions:`)).toBeVisible();
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/^https:\/\/agent\.example\/callback\?code=/);
  const code = new URL(page.url()).searchParams.get('code')!;
  const tokens = await exchangeCode(request, client, code, verifier);
  expect(tokens.status()).toBe(200);
  const { rows: owner } = await testDb().query('SELECT u.email FROM tokens t JOIN users u ON u.id = t.user_id JOIN agents a ON a.id = t.agent_id WHERE a.client_id = $1', [client.client_id]);
  expect(owner.length).toBeGreaterThan(0);
  expect(new Set(owner.map((r) => r.email))).toEqual(new Set([second.email]));
});
