// Every dashboard screen at desktop and phone widths, light and dark, with a connected agent: the
// pictures land in .leash-test/screenshots/ for people to look at, and each page is checked for
// what breaks layouts silently (content wider than the screen, an error boundary showing).
// One test per width and colour scheme, each with its own account, so they run on both workers.
import { expect, test } from '@playwright/test';
import { createAccount, uniqueEmail, uniqueIp } from '../support/accounts';
import { delegatedToken } from '../support/delegation';

const password = 'a-long-enough-passphrase';
const SCREENS = ['agents', 'tokens', 'approvals', 'alerts', 'audit', 'settings'];
const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];

for (const colorScheme of ['light', 'dark'] as const) {
  for (const size of SIZES) {
    test(`each dashboard screen fits ${size.name} width (${size.width} px) in ${colorScheme}`, async ({ browser, request, baseURL }) => {
      test.setTimeout(90_000);
      const user = await createAccount(request, baseURL, { email: uniqueEmail('shots'), password });
      const context = await browser.newContext({ viewport: size, colorScheme, extraHTTPHeaders: { 'X-Forwarded-For': uniqueIp() } });
      const page = await context.newPage();
      await page.goto('/sign-in');
      await page.getByLabel('Email').fill(user.email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page).toHaveURL(/\/agents$/);
      const agent = await delegatedToken(page.request, baseURL!, 'datasets:read reports:read offline_access', {}, { signedInAs: user, agentName: 'Quarterly report agent' });
      await page.request.get('/api/v1/datasets', { headers: agent.auth });
      await page.request.get('/api/v1/invoices', { headers: agent.auth }); // refused: some red in the charts
      for (const screen of [...SCREENS, 'agent', 'policy']) {
        await page.goto(screen === 'agent' ? `/agents/${agent.agentId}` : screen === 'policy' ? `/agents/${agent.agentId}/policy` : `/${screen}`);
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await expect(page.getByText('This page could not be loaded')).toHaveCount(0);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${screen} at ${size.name} is wider than the screen`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: `.leash-test/screenshots/${screen}-${size.name}-${colorScheme}.png`, fullPage: true });
      }
      await context.close();
    });
  }
}
