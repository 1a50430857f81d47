// @see ec0b0c1 (Settings): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { createAccount, sameOrigin, uniqueEmail, uniqueIp, signedInPage } from '../support/accounts';

const password = 'a-long-enough-passphrase';

test('settings lists the signed-in sessions and signs out all the others after confirmation', async ({ browser, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('sessions'), password });
  const laptopIp = uniqueIp();
  const phoneIp = uniqueIp();
  const laptop = await signedInPage(browser, user.email, { ip: laptopIp });
  const phone = await signedInPage(browser, user.email, { ip: phoneIp });

  await laptop.goto('/settings');
  const list = laptop.getByRole('list', { name: 'Signed-in sessions' });
  await expect(list.getByRole('listitem')).toHaveCount(2);
  await expect(list.getByRole('listitem').filter({ hasText: 'This session' })).toContainText(laptopIp);
  await expect(list.getByRole('listitem').filter({ hasNotText: 'This session' })).toContainText(phoneIp);

  await laptop.getByRole('button', { name: 'Sign out all other sessions' }).click();
  await expect(laptop.getByText('Sign out 1 other session? Those browsers will have to sign in again.')).toBeVisible();
  await laptop.getByRole('button', { name: 'Cancel' }).click();
  await phone.goto('/tokens');
  await expect(phone).toHaveURL(/\/tokens$/);

  await laptop.getByRole('button', { name: 'Sign out all other sessions' }).click();
  await laptop.getByRole('button', { name: 'Sign them out' }).click();
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(laptop.getByRole('button', { name: 'Sign out all other sessions' })).toHaveCount(0);

  await phone.goto('/tokens');
  await expect(phone).toHaveURL(/\/sign-in\?callbackUrl=%2Ftokens$/);
  await laptop.goto('/tokens');
  await expect(laptop).toHaveURL(/\/tokens$/);
  await laptop.context().close();
  await phone.context().close();
});

test('revoking other sessions needs a signed-in session', async ({ request, baseURL }) => {
  const response = await request.post('/api/account/sessions/revoke-others', { headers: sameOrigin(baseURL) });
  expect(response.status()).toBe(401);
  expect(await response.json()).toEqual({ error: 'unauthenticated', message: 'Sign in to manage your sessions.' });
});
