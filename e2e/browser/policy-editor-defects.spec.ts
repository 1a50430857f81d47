// Issue 18, the dashboard defects a first-time user hit in the Agents overview and the policy
// editor, each driven in Chromium as that user met it: the overview chart with a newest agent that
// made no calls, alert banners on a phone, the payment limit's amount and currency, the simulator
// with a EUR limit, "Unsaved changes" after a save, a long Cedar diff on a phone, the elevation
// window, the delegation picker and Cedar problems named by their @id.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { createAccount, sameOrigin, signedInPage, uniqueEmail } from '../support/accounts';
import { askForPayment, CIBA, enrolTotp, totpCode } from '../support/approvals';
import { testDb } from '../support/db';
import { DEFAULT_POLICY, delegatedToken } from '../support/delegation';
import { ACCESS, TOKEN_EXCHANGE } from '../support/token-exchange';

const password = 'a-long-enough-passphrase';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

async function newUser(browser: Browser, request: Parameters<typeof createAccount>[0], baseURL: string | undefined, label: string) {
  const user = await createAccount(request, baseURL, { email: uniqueEmail(label), password });
  return { user, page: await signedInPage(browser, user.email) };
}

/** The document of the newest saved version of the user's policy for the agent. */
async function savedDocument(agentId: string) {
  const { rows } = await testDb().query('SELECT version, document FROM policies WHERE agent_id = $1 ORDER BY version DESC LIMIT 1', [agentId]);
  return rows[0] as { version: number; document: Record<string, unknown> };
}

const widerThanScreen = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test('the overview chart counts every agent when the newest agent has made no calls', async ({ browser, request, baseURL }) => {
  const { user, page } = await newUser(browser, request, baseURL, 'chart');
  const busy = await delegatedToken(page.request, baseURL!, 'datasets:read', {}, { signedInAs: user, agentName: 'Busy agent' });
  expect((await page.request.get('/api/v1/datasets', { headers: busy.auth })).status()).toBe(200);
  expect((await page.request.get('/api/v1/datasets', { headers: busy.auth })).status()).toBe(200);
  expect((await page.request.get('/api/v1/invoices', { headers: busy.auth })).status()).toBe(403); // no invoices:read
  // Connected last, so listed first, and silent: its series used to give the chart its (no) days.
  await delegatedToken(page.request, baseURL!, 'reports:read', {}, { signedInAs: user, agentName: 'Quiet newcomer' });

  await page.goto('/agents');
  const agents = page.getByRole('list', { name: 'Connected agents' }).getByRole('listitem');
  await expect(agents.first()).toContainText('Quiet newcomer');
  const chart = page.getByRole('figure', { name: 'All agents, last 14 days' });
  await expect(chart.getByRole('img')).toHaveAccessibleName('3 calls, 1 refused, over 14 days');
  await expect(chart).toContainText('3 calls');
  await expect(chart).toContainText('1 refused');
  await expect(page.getByRole('img', { name: 'Calls by Quiet newcomer: 0 calls in 14 days' })).toBeVisible();
});

test('open alerts fold into one line on a phone, expand on demand, and stay listed on a desktop', async ({ browser, request, baseURL }) => {
  const { user, page } = await newUser(browser, request, baseURL, 'banners');
  const agent = await delegatedToken(page.request, baseURL!, 'datasets:read', {}, { signedInAs: user, agentName: 'Alerted agent' });
  for (const [severity, message] of [
    ['CRITICAL', 'Alerted agent reused a refresh token'],
    ['WARNING', 'Alerted agent was refused 10 times in 5 minutes'],
    ['WARNING', 'Alerted agent called outside its hours'],
  ]) {
    await testDb().query('INSERT INTO alerts (id, user_id, agent_id, kind, severity, message) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)', [
      agent.userId,
      agent.agentId,
      'test',
      severity,
      message,
    ]);
  }

  await page.setViewportSize(PHONE);
  await page.goto('/agents');
  const summary = page.getByRole('button', { name: /3 open alerts/ });
  await expect(summary).toBeVisible();
  await expect(summary).toContainText('1 critical');
  await expect(summary).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('list', { name: 'Alerts' })).toBeHidden();
  // The agents are in view, not pushed below a stack of banners.
  await expect(page.getByRole('list', { name: 'Connected agents' }).getByRole('link', { name: 'Alerted agent' })).toBeInViewport();
  await summary.click();
  await expect(summary).toHaveAttribute('aria-expanded', 'true');
  const listed = page.getByRole('list', { name: 'Alerts' });
  await expect(listed.getByRole('listitem')).toHaveCount(3);
  await listed.getByRole('listitem').filter({ hasText: 'reused a refresh token' }).getByRole('button', { name: 'Acknowledge' }).click();
  await expect(page.getByRole('button', { name: /2 open alerts/ })).toBeVisible();
  expect(await widerThanScreen(page)).toBeLessThanOrEqual(0);

  await page.setViewportSize(DESKTOP);
  await page.goto('/agents');
  await expect(page.getByRole('list', { name: 'Alerts' }).getByRole('listitem')).toHaveCount(2);
  await expect(page.getByRole('button', { name: /open alerts/ })).toBeHidden();
});

test('a payment limit typed as "250" after choosing EUR is saved as 25000 EUR minor units, and "Unsaved changes" clears after each save', async ({ browser, request, baseURL }) => {
  const { user, page } = await newUser(browser, request, baseURL, 'money');
  const agent = await delegatedToken(page.request, baseURL!, 'payments:write', {}, { signedInAs: user, agentName: 'Payer' });
  await page.goto(`/agents/${agent.agentId}/policy`);
  const unsaved = page.getByText('You have unsaved changes.');
  const save = page.getByRole('button', { name: 'Save policy' });
  await expect(unsaved).toHaveCount(0);

  // The currency first (it used to be ignored until an amount existed), then the amount, key by key.
  const currency = page.getByLabel('Payment limit currency');
  await currency.fill('');
  await currency.pressSequentially('eur');
  await expect(currency).toHaveValue('EUR');
  const amount = page.getByLabel('Payment limit amount');
  await amount.pressSequentially('250');
  await expect(amount).toHaveValue('250');
  await expect(currency).toHaveValue('EUR');
  await expect(unsaved).toBeVisible();
  await save.click();
  await expect(page.getByText('Saved as version 1.')).toBeVisible();
  await expect(unsaved).toHaveCount(0);
  await expect(save).toBeDisabled();
  await expect(page.getByText('Version 1 is in force.')).toBeVisible();
  expect(await savedDocument(agent.agentId)).toMatchObject({ version: 1, document: { paymentLimit: { currency: 'EUR', amountMinor: 25000 } } });

  // A second edit and save: the baseline moved to version 1, the next save is version 2.
  await page.getByLabel('Calls per minute').fill('120');
  await expect(unsaved).toBeVisible();
  await save.click();
  await expect(page.getByText('Saved as version 2.')).toBeVisible();
  await expect(unsaved).toHaveCount(0);
  expect(await savedDocument(agent.agentId)).toMatchObject({ version: 2, document: { rateLimit: { perMinute: 120 }, paymentLimit: { currency: 'EUR', amountMinor: 25000 } } });

  // The amount can be edited further (a decimal comma too), and comes back formatted after a reload.
  await amount.fill('');
  await amount.pressSequentially('99,5');
  await expect(amount).toHaveValue('99,5');
  await amount.pressSequentially('x'); // not part of an amount: refused
  await expect(amount).toHaveValue('99,5');
  await save.click();
  await expect(page.getByText('Saved as version 3.')).toBeVisible();
  expect((await savedDocument(agent.agentId)).document.paymentLimit).toEqual({ currency: 'EUR', amountMinor: 9950 });
  await page.reload();
  await expect(page.getByLabel('Payment limit amount')).toHaveValue('99.50');
  await expect(page.getByLabel('Payment limit currency')).toHaveValue('EUR');
  await expect(page.getByText('You have unsaved changes.')).toHaveCount(0);
});

test('the simulator decides a EUR payment against a EUR limit in EUR', async ({ browser, request, baseURL }) => {
  const { user, page } = await newUser(browser, request, baseURL, 'simulate-eur');
  const agent = await delegatedToken(page.request, baseURL!, 'payments:write', {}, { signedInAs: user, agentName: 'Euro payer' });
  await page.goto(`/agents/${agent.agentId}/policy`);
  await page.getByLabel('Payment limit amount').pressSequentially('250');
  await page.getByLabel('Payment limit currency').fill('EUR');

  await page.getByRole('tab', { name: 'Simulator' }).click();
  await page.getByLabel('Action').selectOption('payments.initiate');
  await expect(page.getByLabel('Payment currency')).toHaveValue('EUR'); // the limit's currency
  const result = page.getByRole('status', { name: 'Simulation result' });
  const simulate = async (amount: string) => {
    await page.getByLabel('Amount', { exact: true }).fill(amount);
    await page.getByRole('button', { name: 'Simulate' }).click();
  };
  await simulate('300');
  await expect(result).toContainText('Denied');
  await expect(result).toContainText('payment-limit');
  await simulate('200');
  await expect(result).toContainText('Needs your approval');
  await expect(result).toContainText('permit:payments.initiate');
  // Another currency than the limit's is refused, as the resource server refuses it.
  await page.getByLabel('Payment currency').fill('USD');
  await page.getByRole('button', { name: 'Simulate' }).click();
  await expect(result).toContainText('Denied');
  await expect(result).toContainText('payment-limit');
});

test('a diff of hand-written Cedar with long lines scrolls in its own box: the page fits 390 and 1280 px', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('long-diff'), password });
  const signed = await signedInPage(browser, user.email);
  const agent = await delegatedToken(signed.request, baseURL!, 'datasets:read', {}, { signedInAs: user, agentName: 'Cedar author' });
  const reason = `only the dataset lists, because ${'this explanation is deliberately very long and has no line break '.repeat(12)}`;
  const cedar = (id: string) =>
    `@id("${id}")\n@reason("${reason}")\npermit (principal, action == Leash::Action::"datasets.list", resource) when { context.scopes.contains("datasets:read") && context.minute >= 0 && context.minute < 1440 && context.weekday != "Never" };\n`;
  for (const [version, id] of [
    [0, 'lists-v1'],
    [1, 'lists-v2'],
  ] as const) {
    const saved = await signed.request.post(`/api/account/agents/${agent.agentId}/policy`, {
      headers: sameOrigin(baseURL),
      data: { document: DEFAULT_POLICY, cedar: cedar(id), expected_version: version },
    });
    expect(saved.status(), await saved.text()).toBe(200);
  }

  await signed.setViewportSize(PHONE);
  await signed.goto(`/agents/${agent.agentId}/policy`);
  await signed.getByRole('tab', { name: 'History' }).click();
  await signed.getByRole('list', { name: 'Versions' }).getByRole('listitem').filter({ hasText: 'Version 1' }).getByRole('button', { name: 'Compare with current' }).click();
  const diff = signed.getByLabel('Changes from version 1 to version 2');
  await expect(diff).toContainText('+ @id("lists-v2")');
  for (const size of [PHONE, DESKTOP]) {
    await signed.setViewportSize(size);
    await expect(diff).toBeVisible();
    expect(await widerThanScreen(signed), `the page at ${size.width} px`).toBeLessThanOrEqual(0);
    // The long lines are there, scrolled inside the box.
    expect(await diff.evaluate((pre) => pre.scrollWidth > pre.clientWidth)).toBe(true);
  }
});

test('the elevation window is a field: saved, and an approval’s just-in-time token lives that long', async ({ browser, request, baseURL }) => {
  const { user, page } = await newUser(browser, request, baseURL, 'jit-window');
  const secret = await enrolTotp(page, baseURL!);
  const agent = await delegatedToken(
    page.request,
    baseURL!,
    'payments:write',
    {},
    {
      signedInAs: user,
      agentName: 'Window agent',
      registration: { grant_types: ['authorization_code', CIBA], scope: 'payments:write' },
    },
  );
  await page.goto(`/agents/${agent.agentId}/policy`);
  const field = page.getByLabel('Elevation window (minutes)');
  await expect(field).toHaveValue('10');
  await expect(field).toHaveAttribute('min', '5');
  await expect(field).toHaveAttribute('max', '15');
  await field.fill('20');
  await expect(page.getByRole('status').filter({ hasText: 'Fix these before saving' })).toContainText('jitMinutes');
  await expect(page.getByRole('button', { name: 'Save policy' })).toBeDisabled();
  await field.fill('5');
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByText('Saved as version 1.')).toBeVisible();
  expect((await savedDocument(agent.agentId)).document.jitMinutes).toBe(5);

  const asked = await askForPayment(request, agent.clientId, agent.userId, { amount: '80.00', currency: 'EUR', creditor: 'Plumber Ltd' });
  expect(asked.status(), await asked.text()).toBe(200);
  const { auth_req_id } = await asked.json();
  const { rows } = await testDb().query("SELECT id, window_seconds FROM approval_requests WHERE agent_id = $1 AND status = 'PENDING'", [agent.agentId]);
  expect(rows[0].window_seconds).toBe(300);
  await page.goto('/approvals');
  await expect(page.getByRole('listitem', { name: 'Request from Window agent' })).toContainText('lasts 5 minutes');

  // Approve with a second factor for this request, then the agent collects its token: it lives 5
  // minutes. (The current time step's code was spent on enrolment: the next step's is used.)
  const headers = sameOrigin(baseURL);
  const approved = await page.request.post(`/api/account/approvals/${rows[0].id}/approve`, { headers, data: { code: await totpCode(secret, 1) } });
  expect(approved.status(), await approved.text()).toBe(200);
  const polled = await request.post('/oauth/token', { form: { grant_type: CIBA, client_id: agent.clientId, auth_req_id } });
  expect(polled.status(), await polled.text()).toBe(200);
  const { expires_in } = await polled.json();
  expect(expires_in).toBeLessThanOrEqual(300);
  expect(expires_in).toBeGreaterThan(240);
});

test('delegation offers a picker of the person’s agents, tells alike names apart, and saves the client id', async ({ browser, request, baseURL }) => {
  const { user, page } = await newUser(browser, request, baseURL, 'delegation');
  const subject = await delegatedToken(page.request, baseURL!, 'datasets:read reports:read', {}, { signedInAs: user, agentName: 'Ledger reader' });
  const actorRegistration = { token_endpoint_auth_method: 'client_secret_post', grant_types: ['authorization_code', TOKEN_EXCHANGE] };
  const first = await delegatedToken(page.request, baseURL!, 'reports:read', {}, { signedInAs: user, agentName: 'Summariser', registration: actorRegistration });
  const second = await delegatedToken(page.request, baseURL!, 'reports:read', {}, { signedInAs: user, agentName: 'Summariser', registration: actorRegistration });
  const fragment = (clientId: string) => `id …${clientId.slice(-6)}`;

  await page.goto(`/agents/${subject.agentId}/policy`);
  const picker = page.getByRole('list', { name: 'Agents that may act for this one' });
  await expect(picker.getByRole('checkbox')).toHaveCount(2); // its two look-alikes; not the agent itself
  await expect(picker).not.toContainText('Ledger reader');
  await expect(page.getByRole('textbox', { name: 'Agents that may act for this one' })).toHaveCount(0);
  await picker.getByRole('checkbox', { name: `Summariser (${fragment(first.clientId)})` }).check();
  await expect(picker.getByRole('checkbox', { name: `Summariser (${fragment(second.clientId)})` })).not.toBeChecked();
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByText('Saved as version 1.')).toBeVisible();
  expect((await savedDocument(subject.agentId)).document.mayAct).toEqual([first.clientId]);

  // The one ticked may act for the subject agent (RFC 8693); its look-alike may not.
  const exchangeAs = (actor: typeof first) =>
    request.post('/oauth/token', {
      form: {
        grant_type: TOKEN_EXCHANGE,
        client_id: actor.clientId,
        client_secret: actor.clientSecret!,
        subject_token: subject.token,
        subject_token_type: ACCESS,
        actor_token: actor.token,
        actor_token_type: ACCESS,
        scope: 'reports:read',
      },
    });
  const allowed = await exchangeAs(first);
  expect(allowed.status(), await allowed.text()).toBe(200);
  const refused = await exchangeAs(second);
  expect(refused.status()).toBe(400);
  expect((await refused.json()).error).toBe('invalid_grant');

  // After a reload the saved client id shows as the agent it names.
  await page.reload();
  await expect(page.getByRole('checkbox', { name: `Summariser (${fragment(first.clientId)})` })).toBeChecked();
});

test('Cedar problems name the rule by its @id and line, not Cedar’s generated policy ids', async ({ browser, request, baseURL }) => {
  const { user, page } = await newUser(browser, request, baseURL, 'cedar-ids');
  const agent = await delegatedToken(page.request, baseURL!, 'datasets:read', {}, { signedInAs: user, agentName: 'Cedar names' });
  await page.goto(`/agents/${agent.agentId}/policy`);
  await page.getByRole('tab', { name: 'Advanced' }).click();
  await page
    .getByLabel('Cedar policy')
    .fill(
      [
        '@id("lists")',
        'permit (principal, action == Leash::Action::"datasets.list", resource);',
        '',
        '@id("owner-only")',
        '@reason("only my own things")',
        'permit (principal, action, resource)',
        '  when { resource.owner == "me" };',
      ].join('\n'),
    );
  const problems = page.getByRole('list', { name: 'Cedar problems' });
  await expect(problems.getByRole('listitem')).toHaveCount(1); // once, not once per action
  await expect(problems).toContainText('owner-only (line 7): attribute `owner` on entity type `Leash::Resource` not found');
  await expect(problems).not.toContainText(/policy\d/);
  await expect(page.getByRole('button', { name: 'Save policy' })).toBeDisabled();
});
