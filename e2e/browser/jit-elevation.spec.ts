// The just-in-time elevation story (OpenID CIBA, poll mode): an agent's payment gets "needs
// approval", the agent files a request, it appears live in the user's Approvals inbox, the user
// reviews it and approves with a second factor for that request, the agent's poll returns a
// single-purpose just-in-time token, the payment succeeds once; a denied request returns
// access_denied; approve/deny races leave one outcome.
// @see ff8844e (Just-in-time elevation (OpenID CIBA Core, poll mode)): the commit whose behaviour these tests guard.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { createAccount, sameOrigin, signInInBrowser, TEST_PASSWORD as password, uniqueEmail, uniqueIp } from '../support/accounts';
import { CIBA, enrolTotp, recoveryCode, totpCode } from '../support/approvals';
import { changeSeen, testDb } from '../support/db';
import { delegatedToken } from '../support/delegation';

const PAYMENT = { amount: '1250.00', currency: 'USD', creditor_name: 'ACME Ltd' };
const DETAILS = JSON.stringify([{ type: 'payment_initiation', instructedAmount: { currency: 'USD', amount: '1250.00' }, creditorName: 'ACME Ltd' }]);

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
});

function cibaAgent(request: APIRequestContext, clientId: string) {
  return {
    ask: (userId: string, extra: Record<string, string> = {}) =>
      request.post('/oauth/bc-authorize', {
        form: { client_id: clientId, login_hint: userId, scope: 'payments:write', authorization_details: DETAILS, binding_message: 'Pay invoice INV-2026-0142', ...extra },
      }),
    poll: async (authReqId: string) => {
      await testDb().query("UPDATE approval_requests SET last_polled_at = now() - interval '1 minute' WHERE last_polled_at IS NOT NULL AND agent_id = (SELECT id FROM agents WHERE client_id = $1)", [
        clientId,
      ]);
      return request.post('/oauth/token', { form: { grant_type: CIBA, client_id: clientId, auth_req_id: authReqId } });
    },
  };
}

test('needs approval → CIBA request → live in the inbox → step-up and approve → JIT token pays once', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('jit'), password });
  await signInInBrowser(page, user.email);
  const secret = await enrolTotp(page, baseURL!);
  const agent = await delegatedToken(
    page.request,
    baseURL!,
    'payments:write',
    {},
    { signedInAs: user, agentName: 'Accounts payable agent', registration: { grant_types: ['authorization_code', CIBA], scope: 'payments:write' } },
  );

  const blocked = await request.post('/api/v1/payments', { headers: agent.auth, data: PAYMENT });
  expect(blocked.status()).toBe(403);
  expect(await blocked.json()).toMatchObject({ error: 'approval_required', backchannel_authentication_endpoint: `${baseURL}/oauth/bc-authorize`, grant_type: CIBA });

  await page.goto('/approvals');
  await expect(page.getByRole('heading', { name: 'Nothing waiting for you' })).toBeVisible();
  // (Even if the request below lands before the inbox's event stream connects, the inbox refetches
  // when it connects: this test does not need to wait for it.)
  const ciba = cibaAgent(request, agent.clientId);
  const asked = await ciba.ask(agent.userId);
  expect(asked.status(), await asked.text()).toBe(200);
  const { auth_req_id, expires_in, interval } = await asked.json();
  expect({ expires_in, interval }).toEqual({ expires_in: 300, interval: 5 });
  expect((await (await ciba.poll(auth_req_id)).json()).error).toBe('authorization_pending');

  // Live in the inbox, in words.
  const card = page.getByRole('listitem', { name: 'Request from Accounts payable agent' });
  await expect(card).toContainText('Pay $1,250.00 to ACME Ltd');
  await expect(card).toContainText('“Pay invoice INV-2026-0142”');
  await expect(card).toContainText('lasts 10 minutes');
  await card.getByRole('link', { name: 'Review and approve' }).click();
  // The review page: the second factor is asked for this request and says what it confirms.
  await expect(page).toHaveURL(/\/approvals\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('region', { name: 'What you are approving' })).toContainText('Pay $1,250.00 to ACME Ltd');
  await expect(page.getByRole('region', { name: 'Confirm it is you' })).toContainText('It confirms exactly: Pay $1,250.00 to ACME Ltd.');
  await page.getByLabel('Code from your authenticator app').fill('000000');
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(page.getByText('That code is not right')).toBeVisible();
  await page.getByLabel('Code from your authenticator app').fill(await totpCode(secret));
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(page.getByText('Approved. The agent gets its elevated access on its next poll.')).toBeVisible();

  // Two polls at once: exactly one gets the token.
  await testDb().query("UPDATE approval_requests SET last_polled_at = now() - interval '1 minute' WHERE agent_id = $1", [agent.agentId]);
  const raced = await Promise.all([1, 2].map(() => request.post('/oauth/token', { form: { grant_type: CIBA, client_id: agent.clientId, auth_req_id } })));
  expect(raced.map((r) => r.status()).sort()).toEqual([200, 400]);
  const polled = raced.find((r) => r.status() === 200)!;
  const jit = await polled.json();
  expect(jit).toMatchObject({ token_type: 'Bearer', scope: 'payments:write' });
  expect(jit.expires_in).toBeLessThanOrEqual(600);
  expect((await (await ciba.poll(auth_req_id)).json()).error).toBe('invalid_grant'); // collected once
  const jitAuth = { Authorization: `Bearer ${jit.access_token}` };
  const other = await request.post('/api/v1/payments', { headers: jitAuth, data: { ...PAYMENT, amount: '9999.00' } });
  expect(other.status()).toBe(403);
  expect((await other.json()).error_description).toBe('This token was approved for a different payment.');
  // Two calls at once with the one token: exactly one pays (the token is spent by compare-and-swap).
  // The other is refused: 403 if it passed authentication before the first spent the token, 401 after.
  const paying = await Promise.all([1, 2].map(() => request.post('/api/v1/payments', { headers: jitAuth, data: PAYMENT })));
  const [paid, other2] = paying.map((r) => r.status()).sort();
  expect(paid).toBe(201);
  expect([401, 403]).toContain(other2);
  expect((await testDb().query('SELECT count(*)::int AS n FROM payments WHERE agent_id = $1', [agent.agentId])).rows[0].n).toBe(1);
  expect((await request.post('/api/v1/payments', { headers: jitAuth, data: PAYMENT })).status()).toBe(401); // single-purpose
  const { rows } = await testDb().query("SELECT jit, revoked_reason FROM tokens WHERE token_hash = encode(sha256($1::bytea), 'hex')", [jit.access_token]);
  expect(rows[0]).toEqual({ jit: true, revoked_reason: 'just-in-time token used for its approved payment' });
  const audit = await testDb().query("SELECT action FROM audit_events WHERE agent_id = $1 AND action LIKE 'elevation.%' ORDER BY id", [agent.agentId]);
  expect(audit.rows.map((r) => r.action)).toEqual(['elevation.request', 'elevation.approve']);
});

test('a denied request answers access_denied; approve and deny racing leave exactly one outcome', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('jit-deny'), password });
  await signInInBrowser(page, user.email);
  const secret = await enrolTotp(page, baseURL!);
  const agent = await delegatedToken(
    page.request,
    baseURL!,
    'payments:write',
    {},
    { signedInAs: user, agentName: 'Eager agent', registration: { grant_types: ['authorization_code', CIBA], scope: 'payments:write' } },
  );
  const ciba = cibaAgent(request, agent.clientId);

  const first = (await (await ciba.ask(agent.userId)).json()).auth_req_id;
  await page.goto('/approvals');
  await page.getByRole('listitem', { name: 'Request from Eager agent' }).getByRole('button', { name: 'Deny' }).click();
  await expect(page.getByText('Denied. The agent was told no.')).toBeVisible();
  expect((await (await ciba.poll(first)).json()).error).toBe('access_denied');

  // Race approve (with its second factor) against deny on a second request.
  const headers = sameOrigin(baseURL);
  await ciba.ask(agent.userId);
  const { rows } = await testDb().query("SELECT id FROM approval_requests WHERE agent_id = $1 AND status = 'PENDING'", [agent.agentId]);
  const id = rows[0].id;
  const answers = await Promise.all([
    page.request.post(`/api/account/approvals/${id}/approve`, { headers, data: { code: await totpCode(secret) } }),
    page.request.post(`/api/account/approvals/${id}/deny`, { headers }),
  ]);
  expect(answers.map((a) => a.status()).sort()).toEqual([200, 409]);
  const decided = await testDb().query('SELECT status FROM approval_requests WHERE id = $1', [id]);
  expect(['APPROVED', 'DENIED']).toContain(decided.rows[0].status);

  // An approved window that ends unused: the token is dead, and the Tokens list no longer shows it.
  const third = (await (await ciba.ask(agent.userId)).json()).auth_req_id;
  const pendingId = (await testDb().query("SELECT id FROM approval_requests WHERE agent_id = $1 AND status = 'PENDING'", [agent.agentId])).rows[0].id;
  expect((await page.request.post(`/api/account/approvals/${pendingId}/approve`, { headers, data: { code: recoveryCode(secret) } })).status()).toBe(200);
  const unused = await (await ciba.poll(third)).json();
  // A just-in-time token without details (as issued before bc-authorize required them) is no blank
  // cheque: it pays nothing, not even the payment it was approved for. (Changed before its first
  // use, so no instance holds it in its cache.)
  await testDb().query("UPDATE tokens SET authorization_details = NULL WHERE token_hash = encode(sha256($1::bytea), 'hex')", [unused.access_token]);
  const blank = await request.post('/api/v1/payments', { headers: { Authorization: `Bearer ${unused.access_token}` }, data: PAYMENT });
  expect(blank.status()).toBe(403);
  expect(await blank.json()).toMatchObject({ error: 'access_denied', error_description: 'This token was approved for a different payment.' });
  expect((await testDb().query('SELECT count(*)::int AS n FROM payments WHERE agent_id = $1', [agent.agentId])).rows[0].n).toBe(0);
  await page.goto('/tokens');
  await expect(page.getByRole('region', { name: 'Eager agent' }).getByText('Just-in-time')).toBeVisible();
  await changeSeen("UPDATE tokens SET expires_at = now() - interval '1 second' WHERE token_hash = encode(sha256($1::bytea), 'hex') RETURNING id AS cache_key", [unused.access_token]);
  // Made behind the app's back (as by another instance): applied once the app hears of it.
  await expect.poll(async () => (await request.get('/api/v1/invoices', { headers: { Authorization: `Bearer ${unused.access_token}` } })).status()).toBe(401);
  const dead = await request.post('/api/v1/payments', { headers: { Authorization: `Bearer ${unused.access_token}` }, data: PAYMENT });
  expect(dead.status()).toBe(401);
  expect((await dead.json()).error_description).toBe('The access token has expired.');
  await page.reload();
  await expect(page.getByRole('region', { name: 'Eager agent' }).getByText('Just-in-time')).toHaveCount(0);

  // An agent cannot approve its own request: the inbox needs the user's session, not a token.
  const self = await request.post(`/api/account/approvals/${pendingId}/deny`, { headers: { ...headers, Authorization: agent.auth.Authorization } });
  expect(self.status()).toBe(401);
  // CIBA Core §13: a binding message that is not a short line of text is refused.
  const bad = await ciba.ask(agent.userId, { binding_message: 'line one\nline two' });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error).toBe('invalid_binding_message');

  // Unknown users and someone else's request.
  expect((await (await ciba.ask('00000000-0000-7000-8000-000000000000')).json()).error).toBe('unknown_user_id');
  const stranger = await createAccount(request, baseURL, { email: uniqueEmail('jit-stranger'), password });
  const strangerPage = await page
    .context()
    .browser()!
    .newPage({ extraHTTPHeaders: { 'X-Forwarded-For': uniqueIp() } });
  await signInInBrowser(strangerPage, stranger.email);
  expect((await strangerPage.request.post(`/api/account/approvals/${id}/deny`, { headers })).status()).toBe(404);
});

// A public agent (no secret, cannot introspect, never learns the user's sub) finishes the approval
// loop with what it holds: the 403 names the endpoint and the hint, and its own access token is
// the login_hint_token (CIBA §7.1). This is the README's approval example.
test('a public agent completes the loop with its access token as login_hint_token: 403 → CIBA → approval in the browser → JIT token pays', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('jit-public'), password });
  await signInInBrowser(page, user.email);
  const secret = await enrolTotp(page, baseURL!);
  const agent = await delegatedToken(
    page.request,
    baseURL!,
    'payments:write',
    {},
    { signedInAs: user, agentName: 'Public pay agent', registration: { grant_types: ['authorization_code', 'refresh_token', CIBA] } },
  );

  // 1. The call is refused; everything the agent needs next is in the answer.
  const blocked = await request.post('/api/v1/payments', { headers: agent.auth, data: PAYMENT });
  expect(blocked.status()).toBe(403);
  const refusal = await blocked.json();
  expect(refusal).toMatchObject({
    error: 'approval_required',
    required_scope: 'payments:write',
    backchannel_authentication_endpoint: `${baseURL}/oauth/bc-authorize`,
    login_hint_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    grant_type: CIBA,
  });
  expect(refusal.error_description).toContain('login_hint_token');

  // 2. The CIBA request with only the client_id and the access token it just used.
  const asked = await request.post(refusal.backchannel_authentication_endpoint, {
    form: { client_id: agent.clientId, login_hint_token: agent.token, scope: refusal.required_scope, authorization_details: DETAILS, binding_message: 'Pay invoice INV-2026-0142' },
  });
  expect(asked.status(), await asked.text()).toBe(200);
  const { auth_req_id } = await asked.json();
  const { rows: pending } = await testDb().query("SELECT user_id FROM approval_requests WHERE agent_id = $1 AND status = 'PENDING'", [agent.agentId]);
  expect(pending).toEqual([{ user_id: agent.userId }]);

  // 3. The person approves in the browser, with the second factor the policy asks for.
  await page.goto('/approvals');
  const card = page.getByRole('listitem', { name: 'Request from Public pay agent' });
  await expect(card).toContainText('Pay $1,250.00 to ACME Ltd');
  await card.getByRole('link', { name: 'Review and approve' }).click();
  await page.getByLabel('Code from your authenticator app').fill(await totpCode(secret));
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(page.getByText('Approved. The agent gets its elevated access on its next poll.')).toBeVisible();

  // 4. The poll returns the just-in-time token, and the payment goes through.
  const polled = await cibaAgent(request, agent.clientId).poll(auth_req_id);
  expect(polled.status(), await polled.text()).toBe(200);
  const jit = await polled.json();
  const paid = await request.post('/api/v1/payments', { headers: { Authorization: `Bearer ${jit.access_token}` }, data: PAYMENT });
  expect(paid.status(), await paid.text()).toBe(201);
});
