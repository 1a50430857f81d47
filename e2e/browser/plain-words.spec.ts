// Words, not codes (issue 18): the dashboard says what scopes, actions, assurance levels, alert kinds
// and delegation chains mean, and keeps the codes themselves under "Technical details" (a closed
// <details>). Each page's text outside those disclosures must not contain the codes. And an empty
// Agents or Tokens page tells a new person what an agent is and how to connect the first one.
import { expect, test, type Page } from '@playwright/test';
import { createAccount, signedInPage, uniqueEmail } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken, setPolicy } from '../support/delegation';
import { actorAgent, exchange } from '../support/token-exchange';

const password = 'a-long-enough-passphrase';

/** The text of the page's main content with every <details> taken out. */
function textOutsideDetails(page: Page): Promise<string> {
  return page.evaluate(() => {
    const shown = document.querySelector('main');
    if (!shown) return '';
    const main = shown.cloneNode(true) as HTMLElement;
    for (const details of main.querySelectorAll('details')) details.remove();
    return main.textContent ?? '';
  });
}

const RAW = [/reports:read/, /datasets:read/, /reports\.list/, /payments:write/, /first_use/, /urn:leash:acr/, /"sub"/, /lsh_at_/];

async function expectPlain(page: Page, words: string[]) {
  // A page that has just loaded may still be rendering its content: wait for its words first.
  for (const word of words) await expect.poll(() => textOutsideDetails(page), { message: `the page says "${word}"` }).toContain(word);
  const text = await textOutsideDetails(page);
  for (const code of RAW) expect(text, `no ${code} outside Technical details`).not.toMatch(code);
}

test('agents, tokens, audit, alerts and settings say what the codes mean and keep the codes under Technical details', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('words'), password });
  const page = await signedInPage(browser, user.email);
  const subject = await delegatedToken(page.request, baseURL!, 'datasets:read reports:read', {}, { signedInAs: user, agentName: 'Agent A' });
  expect((await request.get('/api/v1/reports', { headers: subject.auth })).status()).toBe(200);
  // Agent B acts for Agent A (RFC 8693 delegation, allowed by the person's policy for A).
  const actor = await actorAgent(request, 'Agent B');
  await setPolicy(subject, { mayAct: [actor.client.client_id] });
  const exchanged = await exchange(request, actor, { subject_token: subject.token, scope: 'reports:read' });
  expect(exchanged.status(), await exchanged.text()).toBe(200);
  const delegated = await request.get('/api/v1/reports', { headers: { Authorization: `Bearer ${(await exchanged.json()).access_token}` } });
  expect(delegated.status()).toBe(200);
  // A session with a second factor, and a first-use alert, arranged in the database.
  await testDb().query("UPDATE user_sessions SET acr = 'urn:leash:acr:mfa', amr = '{pwd,otp}' WHERE user_id = $1", [subject.userId]);
  await testDb().query(
    "INSERT INTO alerts (id, user_id, agent_id, kind, severity, message) VALUES (gen_random_uuid(), $1, $2, 'first_use:payments:write', 'INFO', 'Agent A made its first payment.')",
    [subject.userId, subject.agentId],
  );

  await page.goto('/agents');
  const agents = page.getByRole('list', { name: 'Connected agents' });
  await expect(agents.getByRole('listitem').filter({ hasText: 'Agent A' })).toContainText('List and query your datasets, Read your reports');
  await expectPlain(page, ['List and query your datasets, Read your reports']);

  await page.goto(`/agents/${subject.agentId}`);
  await expect(page.getByRole('region', { name: 'Recent activity' })).toContainText('List reports');
  await expectPlain(page, ['Read your reports', 'List reports', 'your workspace, through the Leash API']);
  const usage = page.getByRole('region', { name: 'Permissions granted vs used' });
  await usage.getByText('Technical details').click();
  await expect(usage.getByText('scope datasets:read reports:read')).toBeVisible();

  await page.goto('/tokens');
  await expect(page.getByRole('region', { name: 'Agent B' })).toContainText('Agent B acting for Agent A');
  await expectPlain(page, ['Read your reports', 'your workspace, through the Leash API', 'Agent B acting for Agent A']);

  await page.goto('/audit');
  const events = page.getByRole('list', { name: 'Audit events' });
  await expect(events.getByRole('listitem').first()).toBeVisible();
  await expectPlain(page, ['List reports', 'Agent B acting for Agent A', 'Access allowed', 'Token issued']);
  await events.getByRole('listitem').filter({ hasText: 'Agent B acting for Agent A' }).filter({ hasText: 'List reports' }).getByRole('button').click();
  const drawer = page.getByRole('dialog');
  await expect(drawer).toContainText('Agent B acting for Agent A');
  const drawerText = await drawer.evaluate((node) => {
    const clone = node.cloneNode(true) as HTMLElement;
    for (const details of clone.querySelectorAll('details')) details.remove();
    return clone.textContent ?? '';
  });
  expect(drawerText).toContain('Read your reports');
  for (const code of RAW) expect(drawerText).not.toMatch(code);
  await drawer.getByText('Technical details').click();
  await expect(drawer.getByText(`"sub": "${actor.client.client_id}"`)).toBeVisible();
  await expect(drawer.getByText('reports.list', { exact: true })).toBeVisible();
  await drawer.getByRole('button', { name: 'Close' }).click();

  await page.goto('/alerts');
  await expect(page.getByRole('list', { name: 'Open alerts' })).toContainText('First use of “Initiate payments”');
  await expectPlain(page, ['First use of “Initiate payments”']);

  await page.goto('/settings');
  await expectPlain(page, ['password and a second factor', 'Used: password, authenticator app code']);
  await expect(page.getByText('password and a second factor')).toBeVisible();
  await page.getByRole('region', { name: 'This session' }).getByText('Technical details').click();
  await expect(page.getByText('acr urn:leash:acr:mfa')).toBeVisible();
  await page.context().close();
});

test('an empty Agents or Tokens page explains what an agent is and how to connect the first one', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('first-agent'), password });
  const page = await signedInPage(browser, user.email);
  const mcpUrl = `${baseURL}/mcp`;

  for (const [path, title] of [
    ['/agents', 'No agents connected yet'],
    ['/tokens', 'No active tokens'],
  ] as const) {
    await page.goto(path);
    const empty = page.getByRole('region', { name: title });
    await expect(empty.getByRole('heading', { name: 'Connect your first agent' })).toBeVisible();
    await expect(empty).toContainText('An agent is an AI program that works for you');
    await expect(empty.getByRole('textbox', { name: 'MCP server address' })).toHaveValue(mcpUrl);
    await expect(empty).toContainText(`claude mcp add --transport http leash ${mcpUrl}`);
  }

  await page.getByRole('link', { name: /Step-by-step for Claude Desktop, Cursor, VS Code and your own code/ }).click();
  await expect(page).toHaveURL(/\/connect$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Connect an agent' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'MCP server address' })).toHaveValue(mcpUrl);
  await expect(page.getByText(`{ "mcpServers": { "leash": { "url": "${mcpUrl}" } } }`)).toBeVisible();
  await expect(page.getByText(`"args": ["-y", "mcp-remote", "${mcpUrl}"]`)).toBeVisible();
  await page.context().close();
});
