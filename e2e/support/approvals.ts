// Second factors and just-in-time approvals for tests: TOTP enrolled through the dashboard's JSON
// routes, and an agent's CIBA request (poll mode) for a payment with its exact details.
import { generate } from 'otplib';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { sameOrigin } from './accounts';

export const CIBA = 'urn:openid:params:grant-type:ciba';

const recoveryCodes = new Map<string, string[]>();

/** Enrols TOTP for the page's signed-in user; answers the secret (its recovery codes are kept for `recoveryCode`). */
export async function enrolTotp(page: Page, baseURL: string): Promise<string> {
  const headers = sameOrigin(baseURL);
  const { secret } = await (await page.request.post('/api/account/totp/start', { headers })).json();
  const confirmed = await page.request.post('/api/account/totp/confirm', { headers, data: { code: await generate({ secret }) } });
  expect(confirmed.status()).toBe(200);
  recoveryCodes.set(secret, (await confirmed.json()).recovery_codes);
  return secret;
}

/** The next unused recovery code of the TOTP enrolled with `secret` (one more second factor within the same 30 s). */
export function recoveryCode(secret: string): string {
  const code = recoveryCodes.get(secret)?.shift();
  if (!code) throw new Error('no recovery code left for this secret');
  return code;
}

/** The TOTP code of the time step `steps` away from now (a code not used yet in this test). */
export function totpCode(secret: string, steps = 1): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 * steps });
}

/** The agent asks the user's approval for one payment (OpenID CIBA, RFC 9396 details). */
export function askForPayment(request: APIRequestContext, clientId: string, userId: string, payment: { amount: string; currency: string; creditor: string }) {
  const details = [{ type: 'payment_initiation', instructedAmount: { currency: payment.currency, amount: payment.amount }, creditorName: payment.creditor }];
  return request.post('/oauth/bc-authorize', {
    form: { client_id: clientId, login_hint: userId, scope: 'payments:write', authorization_details: JSON.stringify(details), binding_message: `Pay ${payment.creditor}` },
  });
}

/**
 * The person approves an agent's pending request in their Approvals inbox, in Chromium: the card
 * names the agent and quotes its binding message; the second factor (an authenticator code or a
 * recovery code) is typed for this request.
 */
export async function approveInInbox(page: Page, request: { agentName: string; bindingMessage: string; code: string; shows?: string }) {
  await page.goto('/approvals');
  const card = page.getByRole('listitem', { name: `Request from ${request.agentName}` }).filter({ hasText: `“${request.bindingMessage}”` });
  await expect(card).toBeVisible();
  if (request.shows) await expect(card).toContainText(request.shows);
  await card.getByRole('link', { name: 'Review and approve' }).click();
  await page.getByLabel('Code from your authenticator app').fill(request.code);
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(page.getByText('Approved. The agent gets its elevated access on its next poll.')).toBeVisible();
}
