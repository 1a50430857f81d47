// Passkeys for browser tests: Chromium's virtual authenticator (DevTools protocol WebAuthn domain),
// a platform authenticator that verifies its user and answers every ceremony by itself.
import { expect, type Page } from '@playwright/test';

/** Adds a virtual authenticator to the page's browser and enrols a passkey for the signed-in user in Settings. */
export async function addPasskey(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  await page.goto('/settings');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByText('Passkey added.')).toBeVisible();
}
