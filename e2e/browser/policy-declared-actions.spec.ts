// A registered API's declared actions in the policy editor (issue 14 §3): listed beside Leash's own
// with their default tier, set by the person, predicted by the simulator, and, once saved, the
// decision the AuthZEN PDP gives the API for the agent's next call.
import crypto from 'node:crypto';
import { expect, test } from '@playwright/test';
import { createAccount, signedInPage, uniqueEmail } from '../support/accounts';
import { delegatedToken } from '../support/delegation';
import { basic } from '../support/oauth';
import { adminContext, ordersApi, registerResource } from '../support/resources';

test('a declared action is set in the editor, simulated, saved, and decided so by the PDP', async ({ browser, request, baseURL }) => {
  const admin = await adminContext(baseURL!);
  const input = ordersApi({ name: `Shop ${crypto.randomBytes(3).toString('hex')}` });
  const api = await registerResource(admin, input);
  await admin.dispose();
  const [list, place] = input.actions;

  const user = await createAccount(request, baseURL, { email: uniqueEmail('declared'), password: 'a-long-enough-passphrase' });
  const page = await signedInPage(browser, user.email);
  const agent = await delegatedToken(page.request, baseURL!, api.scopes.join(' '), { resource: api.identifier }, { signedInAs: user, agentName: 'Shopper' });
  const ask = async () => {
    const response = await request.post('/access/v1/evaluation', {
      headers: { Authorization: basic(api.clientId, api.clientSecret!), 'Content-Type': 'application/json' },
      data: { subject: { type: 'token', id: agent.token }, action: { name: list!.name }, resource: { type: 'order', id: '1' } },
    });
    expect(response.status()).toBe(200);
    return response.json();
  };
  expect(await ask()).toMatchObject({ decision: true, context: { outcome: 'allow' } });

  await page.goto(`/agents/${agent.agentId}/policy`);
  // Beside Leash's own actions, under the API's name.
  await expect(page.getByRole('group', { name: 'Risk per action', exact: true })).toBeVisible();
  await expect(page.getByRole('group', { name: `Risk per action: ${input.name}` })).toBeVisible();
  // Default tiers by risk: low → allow, high → approval.
  await expect(page.getByLabel(`${list!.description} ${list!.scope}`)).toHaveValue('allow');
  await expect(page.getByLabel(`${place!.description} ${place!.scope}`)).toHaveValue('approval');
  await page.getByLabel(`${list!.description} ${list!.scope}`).selectOption('deny');

  await page.getByRole('tab', { name: 'Simulator' }).click();
  await page.getByLabel('Action').selectOption(`${api.identifier}#${list!.name}`);
  await page.getByRole('button', { name: 'Simulate' }).click();
  const result = page.getByRole('status', { name: 'Simulation result' });
  await expect(result).toContainText('Denied');
  await expect(result).toContainText(`deny-action:${api.identifier}#${list!.name}`);

  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByText('Saved as version 1.')).toBeVisible();
  expect(await ask()).toMatchObject({ decision: false, context: { outcome: 'deny', rule: `deny-action:${api.identifier}#${list!.name}`, policy_version: 1 } });
  await page.close();
});
