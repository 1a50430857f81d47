// Just-in-time elevation is exactly what the person approved (issue 18):
// - no blank cheques: payments:write without its exact authorization_details is refused at
//   /oauth/bc-authorize, and nothing is stored or shown;
// - the policy is a hard limit: a payment above the person's limit, or a scope above the agent's
//   ceiling, is refused before anyone is asked (access_denied, audited); within it the loop works;
// - the second factor is asked for each approval and bound to it: a multi-factor session approves
//   nothing by itself, and a passkey assertion made for one request cannot approve another;
// - RAR through the code flow: consented details come back in the token response (RFC 9396 §7)
//   and that payment goes through once;
// - the kill switches hold: an agent acting only through delegation is listed and can be stopped;
// - look-alike agents are told apart on the approval card.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { createAccount, sameOrigin, signInInBrowser, TEST_PASSWORD as password, uniqueEmail, uniqueIp } from '../support/accounts';
import { CIBA, enrolTotp, recoveryCode, totpCode } from '../support/approvals';
import { addPasskey } from '../support/passkeys';
import { testDb } from '../support/db';
import { delegatedToken, setPolicy } from '../support/delegation';
import { AGENT_CALLBACK, authorizeOverHttp, exchangeCode, pkce, registerPublicAgent } from '../support/oauth';
import { actorAgent, exchange } from '../support/token-exchange';

const payment = (amount: string, currency = 'EUR', creditor = 'Plumber Ltd') => ({
  detail: JSON.stringify([{ type: 'payment_initiation', instructedAmount: { currency, amount }, creditorName: creditor }]),
  body: { amount, currency, creditor_name: creditor },
});

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
});

async function payingAgent(page: Page, baseURL: string, user: { email: string }, name: string) {
  return delegatedToken(page.request, baseURL, 'payments:write', {}, { signedInAs: user, agentName: name, registration: { grant_types: ['authorization_code', CIBA] } });
}

function ask(request: APIRequestContext, agent: { clientId: string; token: string }, form: Record<string, string>) {
  return request.post('/oauth/bc-authorize', { form: { client_id: agent.clientId, login_hint_token: agent.token, binding_message: 'Pay the plumber', ...form } });
}

async function poll(request: APIRequestContext, clientId: string, authReqId: string) {
  await testDb().query("UPDATE approval_requests SET last_polled_at = now() - interval '1 minute' WHERE last_polled_at IS NOT NULL");
  return request.post('/oauth/token', { form: { grant_type: CIBA, client_id: clientId, auth_req_id: authReqId } });
}

const pendingId = async (agentId: string) =>
  (await testDb().query("SELECT id FROM approval_requests WHERE agent_id = $1 AND status = 'PENDING' ORDER BY created_at DESC LIMIT 1", [agentId])).rows[0]?.id as string | undefined;

test('no blank cheques, and the policy limit is refused up front: both sides of the limit', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('exact'), password });
  await signInInBrowser(page, user.email);
  const secret = await enrolTotp(page, baseURL!);
  const agent = await payingAgent(page, baseURL!, user, 'Plumbing agent');
  await setPolicy(agent, { paymentLimit: { currency: 'EUR', amountMinor: 25_000 }, scopeCeiling: ['payments:write', 'datasets:read', 'offline_access'] });

  // 1. "Pay the plumber", no amount: refused, nothing stored, nothing to approve.
  const blank = await ask(request, agent, { scope: 'payments:write' });
  expect(blank.status()).toBe(400);
  const blankBody = await blank.json();
  expect(blankBody.error).toBe('invalid_authorization_details');
  expect(blankBody.error_description).toContain('send authorization_details of type payment_initiation naming the amount, currency and creditor');
  expect(await pendingId(agent.agentId)).toBeUndefined();

  // 2. Above the person's limit (EUR 500 > EUR 250): refused before asking, audited.
  const above = await ask(request, agent, { scope: 'payments:write', authorization_details: payment('500.00').detail });
  expect(above.status()).toBe(403);
  const aboveBody = await above.json();
  expect(aboveBody.error).toBe('access_denied');
  expect(aboveBody.error_description).toContain('does not allow 500.00 EUR to Plumber Ltd (payments above 250.00 EUR are not allowed)');
  expect(await pendingId(agent.agentId)).toBeUndefined();
  // Above the agent's scope ceiling: refused the same way.
  const ceiling = await ask(request, agent, { scope: 'workflows:trigger' });
  expect(ceiling.status()).toBe(403);
  expect((await ceiling.json()).error).toBe('access_denied');
  const { rows: refusals } = await testDb().query("SELECT decision, reason, details->>'policy_rule' AS rule FROM audit_events WHERE agent_id = $1 AND action = 'elevation.refuse' ORDER BY id", [
    agent.agentId,
  ]);
  expect(refusals).toEqual([
    { decision: 'DENY', reason: 'policy v1 payment-limit: payments above 250.00 EUR are not allowed', rule: 'payment-limit' },
    { decision: 'DENY', reason: "policy v1 scope-ceiling:workflows.list: workflows:trigger is above this agent's scope ceiling", rule: 'scope-ceiling:workflows.list' },
  ]);

  // 3. Within the limit (EUR 200): asked, shown with its amount, approved, paid once.
  const within = await ask(request, agent, { scope: 'payments:write', authorization_details: payment('200.00').detail });
  expect(within.status(), await within.text()).toBe(200);
  await page.goto('/approvals');
  const card = page.getByRole('listitem', { name: 'Request from Plumbing agent' });
  await expect(card).toContainText('Pay €200.00 to Plumber Ltd');
  await card.getByRole('link', { name: 'Review and approve' }).click();
  await page.getByLabel('Code from your authenticator app').fill(await totpCode(secret));
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(page.getByText('Approved. The agent gets its elevated access on its next poll.')).toBeVisible();
  const jit = await (await poll(request, agent.clientId, (await within.json()).auth_req_id)).json();
  expect(jit.authorization_details).toEqual(JSON.parse(payment('200.00').detail));
  const auth = { Authorization: `Bearer ${jit.access_token}` };
  expect((await request.post('/api/v1/payments', { headers: auth, data: payment('4999.00').body })).status()).toBe(403);
  expect((await request.post('/api/v1/payments', { headers: auth, data: payment('200.00').body })).status()).toBe(201);
  expect((await request.post('/api/v1/payments', { headers: auth, data: payment('200.00').body })).status()).toBe(401);
});

test('the second factor is asked for each approval and bound to it; a multi-factor session approves nothing by itself', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('bound'), password });
  await signInInBrowser(page, user.email);
  const secret = await enrolTotp(page, baseURL!);
  const recovery = recoveryCode(secret);
  const agent = await payingAgent(page, baseURL!, user, 'Bound agent');
  const headers = sameOrigin(baseURL!);

  // The session steps up (as it would for a consent): approving still needs a factor for the request.
  expect((await page.request.post('/api/account/step-up', { headers, data: { code: await totpCode(secret) } })).status()).toBe(200);
  expect((await ask(request, agent, { scope: 'payments:write', authorization_details: payment('80.00').detail })).status()).toBe(200);
  const first = (await pendingId(agent.agentId))!;
  const bare = await page.request.post(`/api/account/approvals/${first}/approve`, { headers });
  expect(bare.status()).toBe(403);
  expect((await bare.json()).error).toBe('second_factor_required');
  expect((await testDb().query('SELECT status FROM approval_requests WHERE id = $1', [first])).rows[0].status).toBe('PENDING');
  // A wrong code approves nothing; a right one approves this request, and only it.
  expect((await page.request.post(`/api/account/approvals/${first}/approve`, { headers, data: { code: '000000' } })).status()).toBe(400);
  expect((await page.request.post(`/api/account/approvals/${first}/approve`, { headers, data: { code: recovery } })).status()).toBe(200);
  expect((await ask(request, agent, { scope: 'payments:write', authorization_details: payment('90.00').detail })).status()).toBe(200);
  const second = (await pendingId(agent.agentId))!;
  expect((await page.request.post(`/api/account/approvals/${second}/approve`, { headers })).status()).toBe(403);
  expect((await page.request.post(`/api/account/approvals/${second}/approve`, { headers, data: { code: recovery } })).status()).toBe(400); // spent
  const { rows } = await testDb().query("SELECT reason, details->>'second_factor' AS factor FROM audit_events WHERE agent_id = $1 AND action = 'elevation.approve'", [agent.agentId]);
  expect(rows).toEqual([{ reason: 'approved by the user, confirmed for this request with a recovery code', factor: 'recovery' }]);

  // A passkey: the assertion signs a challenge made for one request; it cannot approve another.
  await addPasskey(page);
  expect((await ask(request, agent, { scope: 'payments:write', authorization_details: payment('95.00').detail })).status()).toBe(200);
  const third = (await pendingId(agent.agentId))!;
  // Options for the second request, signed by the authenticator, sent to approve the third.
  const options = await (await page.request.post(`/api/account/approvals/${second}/passkey-options`, { headers })).json();
  const assertion = await page.evaluate(async (json) => {
    const b64 = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const out = (b: ArrayBuffer) =>
      btoa(String.fromCharCode(...new Uint8Array(b)))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
    const credential = (await navigator.credentials.get({
      publicKey: {
        challenge: b64(json.challenge),
        rpId: json.rpId,
        userVerification: 'required',
        allowCredentials: json.allowCredentials.map((c: { id: string }) => ({ id: b64(c.id), type: 'public-key' })),
      },
    })) as PublicKeyCredential;
    const r = credential.response as AuthenticatorAssertionResponse;
    return {
      id: credential.id,
      rawId: out(credential.rawId),
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: out(r.clientDataJSON), authenticatorData: out(r.authenticatorData), signature: out(r.signature), userHandle: r.userHandle ? out(r.userHandle) : undefined },
    };
  }, options);
  const replayed = await page.request.post(`/api/account/approvals/${third}/approve`, { headers, data: { passkey: assertion } });
  expect(replayed.status()).toBe(400);
  expect((await testDb().query('SELECT status FROM approval_requests WHERE id = $1', [third])).rows[0].status).toBe('PENDING');
  // On the review page, the passkey made for this request approves it in one go.
  await page.goto(`/approvals/${third}`);
  await expect(page.getByRole('region', { name: 'What you are approving' })).toContainText('Pay €95.00 to Plumber Ltd');
  await page.getByRole('button', { name: 'Approve with a passkey' }).click();
  await expect(page.getByText('Approved. The agent gets its elevated access on its next poll.')).toBeVisible();
  const passkeyRows = await testDb().query("SELECT details->>'second_factor' AS factor FROM audit_events WHERE agent_id = $1 AND action = 'elevation.approve' ORDER BY id", [agent.agentId]);
  expect(passkeyRows.rows.map((r) => r.factor)).toEqual(['recovery', 'passkey']);
});

test('a person without a second factor is told at once, with the time left, not sent away', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('nofactor'), password });
  await signInInBrowser(page, user.email);
  const agent = await payingAgent(page, baseURL!, user, 'Impatient agent');
  expect((await ask(request, agent, { scope: 'payments:write', authorization_details: payment('30.00').detail })).status()).toBe(200);
  await page.goto('/approvals');
  await expect(page.getByText('Approving a request needs a second factor, and your account has none yet.')).toBeVisible();
  await page.getByRole('listitem', { name: 'Request from Impatient agent' }).getByRole('link', { name: 'Review and approve' }).click();
  await expect(page.getByText(/your account has none yet\. Set up an authenticator app in Settings \(opens in a new tab\).*the request stays here for \d:\d\d/)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Settings (opens in a new tab)' })).toHaveAttribute('target', '_blank');
  await expect(page).toHaveURL(/\/approvals\/[0-9a-f-]{36}$/);
});

test('RAR through the code flow: consented details come back with the token, and that payment is made once', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('rar'), password });
  await signInInBrowser(page, user.email);
  const client = await registerPublicAgent(request, { client_name: 'Invoice payer' });
  const { verifier, challenge } = pkce();
  const details = payment('120.00', 'EUR', 'Office Supplies GmbH');
  const back = await authorizeOverHttp(page.request, baseURL!, {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: AGENT_CALLBACK,
    scope: 'payments:write',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    authorization_details: details.detail,
  });
  const tokens = await (await exchangeCode(request, client, back.searchParams.get('code')!, verifier)).json();
  expect(tokens.authorization_details).toEqual(JSON.parse(details.detail)); // RFC 9396 §7
  const auth = { Authorization: `Bearer ${tokens.access_token}` };
  const other = await request.post('/api/v1/payments', { headers: auth, data: payment('121.00', 'EUR', 'Office Supplies GmbH').body });
  expect(other.status()).toBe(403);
  expect((await other.json()).error).toBe('approval_required');
  // Two identical calls at once: the grant row is locked, so exactly one makes the payment.
  const raced = await Promise.all([1, 2].map(() => request.post('/api/v1/payments', { headers: auth, data: details.body })));
  expect(raced.map((r) => r.status()).sort()).toEqual([201, 403]);
  const again = raced.find((r) => r.status() === 403)!;
  expect((await again.json()).error_description).toBe('The payment the user consented to was already made; ask for approval to pay again.');
  expect((await request.post('/api/v1/payments', { headers: auth, data: details.body })).status()).toBe(403);
  const { rows } = await testDb().query("SELECT count(*)::int AS n FROM payments WHERE creditor_name = 'Office Supplies GmbH' AND user_id = (SELECT id FROM users WHERE email = $1)", [user.email]);
  expect(rows[0].n).toBe(1);
});

test('an agent acting only through delegation is listed and can be stopped; look-alike agents are told apart', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('delegated'), password });
  await signInInBrowser(page, user.email);
  const subject = await delegatedToken(page.request, baseURL!, 'datasets:read', {}, { signedInAs: user, agentName: 'Research lead' });
  const actor = await actorAgent(request, 'Helper sub-agent');
  await setPolicy(subject, { mayAct: [actor.client.client_id] });
  const acting = await exchange(request, actor, { subject_token: subject.token });
  expect(acting.status(), await acting.text()).toBe(200);
  const delegated = (await acting.json()).access_token as string;

  await page.goto('/agents');
  const row = page.getByRole('listitem').filter({ hasText: 'Helper sub-agent' });
  await expect(row).toContainText('Acts for another agent');
  await row.getByRole('link', { name: 'Helper sub-agent' }).click();
  await page.getByRole('button', { name: 'Kill switch' }).click();
  await page.getByRole('button', { name: 'Stop this agent' }).click();
  await expect(page.getByRole('button', { name: 'Resume' })).toBeVisible();
  expect((await request.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${delegated}` } })).status()).toBe(401);
  const again = await exchange(request, actor, { subject_token: subject.token });
  expect(again.status()).toBe(400);
  expect((await again.json()).error_description).toBe('The user has stopped this agent: it cannot act for them.');

  // Two self-registered agents called the same: the approval card warns, and their marks differ.
  const twinA = await payingAgent(page, baseURL!, user, 'Finance bot');
  await payingAgent(page, baseURL!, user, 'Finance bot');
  expect((await ask(request, twinA, { scope: 'payments:write', authorization_details: payment('10.00').detail })).status()).toBe(200);
  await page.goto('/approvals');
  const card = page.getByRole('listitem', { name: 'Request from Finance bot' });
  await expect(card).toContainText('Another agent you connected also calls itself “Finance bot”.');
  await expect(card.getByTestId('agent-mark')).toHaveText(`id …${twinA.clientId.slice(-6)}`);
  await page.goto('/agents');
  // The list is fetched after the page loads: wait for both rows before reading their marks.
  const twins = page.getByRole('listitem').filter({ hasText: 'Finance bot' }).getByTestId('agent-mark');
  await expect(twins).toHaveCount(2);
  const marks = await twins.allTextContents();
  expect(marks).toHaveLength(2);
  expect(new Set(marks).size).toBe(2);
});

test('an agent filing many requests raises an alert; they are denied together, and the history shows what happened', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('fatigue'), password });
  await signInInBrowser(page, user.email);
  const agent = await payingAgent(page, baseURL!, user, 'Pushy agent');
  for (const amount of ['11.00', '12.00', '13.00', '14.00', '15.00']) {
    expect((await ask(request, agent, { scope: 'payments:write', authorization_details: payment(amount).detail })).status()).toBe(200);
  }
  // The fifth request within ten minutes (the default threshold) raises one alert.
  await expect
    .poll(async () => (await testDb().query("SELECT message FROM alerts WHERE user_id = $1 AND kind = 'approval_requests'", [agent.userId])).rows.map((r) => r.message))
    .toEqual(['Pushy agent asked for your approval 5 times in 10 minutes. Approve nothing you did not expect; deny them together in Approvals, and stop the agent if this is not normal.']);

  await page.goto('/approvals');
  await expect(page.getByRole('listitem', { name: 'Request from Pushy agent' })).toHaveCount(5);
  await page.getByLabel('Select all').check();
  await page.getByRole('button', { name: 'Deny selected (5)' }).click();
  await expect(page.getByText('Denied 5 requests. The agents were told no.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Nothing waiting for you' })).toBeVisible();
  const history = page.getByRole('list', { name: 'Answered and expired requests' });
  await expect(history.getByRole('listitem')).toHaveCount(5);
  await expect(history.getByRole('listitem').first()).toContainText('Denied');
  await expect(history.getByRole('listitem').first()).toContainText('Pay €15.00 to Plumber Ltd');
  const { rows } = await testDb().query("SELECT count(*)::int AS n FROM audit_events WHERE agent_id = $1 AND action = 'elevation.deny' AND details->>'bulk' = 'true'", [agent.agentId]);
  expect(rows[0].n).toBe(5);
  // Someone else's ids deny nothing.
  const stranger = await createAccount(request, baseURL, { email: uniqueEmail('fatigue-stranger'), password });
  const other = await page
    .context()
    .browser()!
    .newPage({ extraHTTPHeaders: { 'X-Forwarded-For': uniqueIp() } });
  await signInInBrowser(other, stranger.email);
  expect((await ask(request, agent, { scope: 'payments:write', authorization_details: payment('16.00').detail })).status()).toBe(200);
  const mine = (await pendingId(agent.agentId))!;
  const probe = await other.request.post('/api/account/approvals/deny', { headers: sameOrigin(baseURL!), data: { ids: [mine] } });
  expect(await probe.json()).toEqual({ denied: 0 });
  expect((await testDb().query('SELECT status FROM approval_requests WHERE id = $1', [mine])).rows[0].status).toBe('PENDING');
});
