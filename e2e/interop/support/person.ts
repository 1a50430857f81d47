// The person's part of an agent's sign-in, in Chromium: the pages a real user sees (sign-in, the
// consent screen, the device-code page), driven by labels and button names as a person reads them.
// The agent side is always the real client package; nothing here talks OAuth.
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { createAccount, fillSignIn, uniqueEmail } from '../../support/accounts';

export type Person = { email: string; password: string };

const PASSWORD = 'a-long-enough-passphrase';

/** A fresh account (its own sign-up address, so the per-IP sign-up limit is never shared). */
export function newPerson(request: APIRequestContext, baseURL: string, label: string): Promise<Person> {
  return createAccount(request, baseURL, { email: uniqueEmail(label), password: PASSWORD }) as Promise<Person>;
}

async function signInIfAsked(page: Page, person: Person) {
  if (!new URL(page.url()).pathname.startsWith('/sign-in')) return;
  await fillSignIn(page, person.email, person.password);
}

/**
 * Opens the authorization URL the agent produced (as its browser tab would), signs in, checks the
 * consent screen names the agent, and allows. Resolves with the URL the browser was sent back to:
 * the agent's own loopback callback, which must answer (the agent's callback server is real).
 */
export async function allowInBrowser(page: Page, authorizationUrl: string, person: Person, expected: { agentName: string; callback: RegExp }): Promise<URL> {
  await page.goto(authorizationUrl);
  await signInIfAsked(page, person);
  await expect(page).toHaveURL(/\/consent\//);
  await expect(page.getByTestId('agent-name')).toHaveText(expected.agentName);
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(expected.callback);
  return new URL(page.url());
}

/** RFC 8628 §3.3: the person types the code the agent showed at /device, signs in, and allows. */
export async function enterDeviceCode(page: Page, userCode: string, person: Person, expected: { agentName: string }) {
  await page.goto('/device');
  await signInIfAsked(page, person);
  await expect(page).toHaveURL(/\/device$/);
  await page.getByLabel('Code').fill(userCode);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/consent\//);
  await expect(page.getByTestId('agent-name')).toHaveText(expected.agentName);
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page.getByRole('heading', { name: 'Device connected' })).toBeVisible();
}
