// Settings → Protected APIs in Chromium (issue 14 §1): an administrator registers an API in the
// dashboard and gets its credentials once; the API then appears on the consent screen in its own
// words, and the token the person allows is for exactly that API. Removing it is confirmed first.
import { expect, test } from '@playwright/test';
import { createAccount, DEMO, fillSignIn, signedInPage, TEST_PASSWORD, uniqueEmail, uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { AGENT_CALLBACK, authorizeUrl, basic, clientCredentialsToken, exchangeCode, pkce, registerMachineClient, registerPublicAgent } from '../support/oauth';
import { adminContext, registerResource, uniqueWord } from '../support/resources';

test('an administrator registers an API in the dashboard; people see it on the consent screen; its token is for it alone', async ({ browser, request, baseURL }) => {
  // Three accounts, two consents and a dozen page loads: 78 s of the 90 s it had on a loaded CI
  // rehearsal, and past them in CI. A budget, not a speed check.
  test.setTimeout(180_000);
  const admin = await signedInPage(browser, DEMO.email, { password: DEMO.password, baseURL });
  await admin.goto('/settings');
  await admin.getByRole('link', { name: 'Manage APIs' }).click();
  await expect(admin.getByRole('heading', { name: 'Protected APIs' })).toBeVisible();
  // Leash's own two are listed, and cannot be removed.
  const own = admin.getByRole('list', { name: 'Leash’s own APIs' });
  await expect(own.getByRole('listitem', { name: 'Leash workspace API' })).toBeVisible();
  await expect(own.getByRole('button', { name: 'Remove' })).toHaveCount(0);

  const area = uniqueWord('shop');
  const identifier = `https://${area}.example.com/api`;
  const form = admin.getByRole('form', { name: 'Register an API' });
  // A mistake is named at its field and nothing is registered.
  await form.getByLabel('Identifier (its URL)').fill('http://shop.example.com/api');
  await form.getByLabel('Name', { exact: true }).fill('Shop API');
  await form.getByLabel('Scope 1 name').fill(`${area}:read`);
  await form.getByLabel('Scope 1 description').fill('Read your shop orders');
  await form.getByRole('button', { name: 'Register the API' }).click();
  await expect(form.getByText(/The identifier must be an https URL/).first()).toBeVisible();

  await form.getByLabel('Identifier (its URL)').fill(identifier);
  await form.getByRole('button', { name: 'Add a scope' }).click();
  await form.getByLabel('Scope 2 name').fill(`${area}:write`);
  await form.getByLabel('Scope 2 description').fill('Place orders in your shop');
  await form.getByLabel('Scope 2 risk').selectOption('high');
  await form.getByRole('button', { name: 'Add an action' }).click();
  await form.getByLabel('Action 1 name').fill(`${area}.place`);
  await form.getByLabel('Action 1 scope').selectOption(`${area}:write`);
  await form.getByLabel('Action 1 risk').selectOption('high');
  await form.getByLabel('Action 1 description').fill('Place an order');
  await form.getByRole('button', { name: 'Register the API' }).click();

  const credentials = admin.getByRole('region', { name: 'New credentials' });
  await expect(credentials).toContainText('Credentials for Shop API');
  const clientId = await credentials.getByLabel('Client ID').inputValue();
  const clientSecret = await credentials.getByLabel('Client secret').inputValue();
  expect(clientId).toMatch(/^rs_/);
  expect(clientSecret).toMatch(/^lsh_cs_/);
  const card = admin.getByRole('list', { name: 'Your APIs' }).getByRole('listitem', { name: 'Shop API' });
  await expect(card).toContainText(identifier);
  await expect(card.getByText(`${area}:write · high`)).toBeVisible();
  await expect(card).toContainText(`Place an order (${area}.place, high)`);
  await credentials.getByRole('button', { name: 'I have stored it' }).click();
  await expect(credentials).toHaveCount(0);

  // A person connects an agent to it: the consent screen speaks of the API and its scopes.
  const person = await createAccount(request, baseURL, { email: uniqueEmail('shopper'), password: TEST_PASSWORD });
  const agent = await registerPublicAgent(request, { client_name: 'Shopping agent', scope: `${area}:read ${area}:write` });
  const context = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': uniqueIp() } });
  await context.route('https://agent.example/**', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'agent callback' }));
  const page = await context.newPage();
  const { verifier, challenge } = pkce();
  await page
    .goto(
      authorizeUrl(baseURL!, {
        response_type: 'code',
        client_id: agent.client_id,
        redirect_uri: AGENT_CALLBACK,
        scope: `${area}:read ${area}:write`,
        resource: identifier,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    )
    .catch(() => {});
  await fillSignIn(page, person.email);
  await expect(page).toHaveURL(/\/consent\//);
  await expect(page.getByText('Read your shop orders')).toBeVisible();
  await expect(page.getByText('Place orders in your shop')).toBeVisible();
  await expect(page.getByText('Works with')).toBeVisible();
  await expect(page.getByText('Shop API', { exact: true })).toBeVisible();
  await page.getByRole('checkbox', { name: /Place orders in your shop/ }).uncheck();
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/^https:\/\/agent\.example\/callback\?/);
  const code = new URL(page.url()).searchParams.get('code')!;
  const tokens = await (await exchangeCode(request, agent, code, verifier)).json();
  // (offline_access is offered to agents that registered refresh: lib/oauth/validate-authorization-params.ts)
  expect(tokens.scope).toBe(`offline_access ${area}:read`);

  // The API checks it with the credentials from the screen.
  const introspected = await (await request.post('/oauth/introspect', { headers: { Authorization: basic(clientId, clientSecret) }, form: { token: tokens.access_token } })).json();
  expect(introspected).toMatchObject({ active: true, aud: identifier, scope: `offline_access ${area}:read`, client_id: agent.client_id, grant_id: expect.any(String), policy_version: 0 });

  // The person's Tokens screen says what the token is for in the API's words.
  await page.goto(`${baseURL}/tokens`);
  await expect(page.getByText('Read your shop orders', { exact: false }).first()).toBeVisible();
  await expect(page.getByText('Shop API', { exact: true }).first()).toBeVisible();

  // Removing it asks first, then revokes the person's token.
  await card.getByRole('button', { name: 'Remove' }).click();
  await expect(card.getByText('Every token for it is revoked')).toBeVisible();
  await card.getByRole('button', { name: 'Remove the API' }).click();
  await expect(admin.getByRole('list', { name: 'Your APIs' }).getByRole('listitem', { name: 'Shop API' })).toHaveCount(0);
  const { rows } = await testDb().query('SELECT count(*)::int AS n FROM tokens WHERE $1 = ANY(audience) AND revoked_at IS NULL', [identifier]);
  expect(rows[0].n).toBe(0);
  await context.close();
  await admin.context().close();
});

test('a member opening the screen is told it is for administrators', async ({ browser, request, baseURL }) => {
  const member = await createAccount(request, baseURL, { email: uniqueEmail('member'), password: TEST_PASSWORD });
  const page = await signedInPage(browser, member.email, { baseURL });
  await page.goto('/settings/resources');
  await expect(page.getByText('Only an administrator can see and register protected APIs.')).toBeVisible();
  await expect(page.getByRole('form', { name: 'Register an API' })).toHaveCount(0);
  await page.context().close();
});

test('an administrator sees the revocation events Leash pushed to an API, with their delivery', async ({ browser, request, baseURL }) => {
  const admin = await adminContext(baseURL!);
  const api = await registerResource(admin);
  // The API's stream (OpenID SSF, push to an address the test servers may reach); whether anything
  // answers there does not matter here: every event and attempt is recorded either way.
  const endpoint = `http://127.0.0.1:${process.env.LEASH_TEST_SSF_PORT ?? 3105}/${uniqueWord('screen')}`;
  const created = await request.post('/ssf/stream', {
    headers: { Authorization: basic(api.clientId, api.clientSecret!) },
    data: { delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: endpoint } },
  });
  expect(created.status(), await created.text()).toBe(201);
  const agent = await registerMachineClient(request, { scope: api.scopes.join(' ') });
  const token = await clientCredentialsToken(request, agent, { scope: api.scopes[0]!, resource: api.identifier });
  expect((await request.post('/oauth/revoke', { headers: { Authorization: basic(agent.client_id, agent.client_secret!) }, form: { token } })).status()).toBe(200);

  const page = await signedInPage(browser, DEMO.email, { password: DEMO.password, baseURL });
  await page.goto('/settings/resources');
  const card = page.getByRole('list', { name: 'Your APIs' }).getByRole('listitem', { name: 'Orders API' }).filter({ hasText: api.identifier });
  await card.getByRole('button', { name: 'Revocation events sent to this API' }).click();
  await expect(card.getByText(endpoint)).toBeVisible();
  await expect(card.getByRole('list', { name: 'Events sent' }).getByText('Access revoked')).toBeVisible();
  await page.context().close();
  await admin.dispose();
});
