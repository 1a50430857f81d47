// Every dashboard screen at desktop and phone widths, light and dark, with a connected agent: the
// pictures land in .leash-test/screenshots/ for people to look at, and each page is checked for
// what breaks layouts silently (content wider than the screen, an error boundary showing).
// One test per screen and width (issue 13: one test for all screens timed out on a busy CI
// machine); each width signs in its own account once, in beforeAll. The page loads once and is
// pictured in light, then dark: the colours are CSS alone (prefers-color-scheme), so switching the
// emulated scheme on the loaded page is what a person switching their system setting sees, and it
// halves the page loads of the suite's slowest file.
import { expect, request as playwrightRequest, test, type BrowserContextOptions } from '@playwright/test';
import { createAccount, signInInBrowser, TEST_PASSWORD, uniqueEmail, uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken } from '../support/delegation';

const SCREENS = ['agents', 'tokens', 'approvals', 'alerts', 'audit', 'settings', 'agent', 'policy', 'approval', 'resources'];
const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];

const SCHEMES = ['light', 'dark'] as const;

for (const size of SIZES) {
  test.describe(size.name, () => {
    const ip = uniqueIp();
    let storageState: BrowserContextOptions['storageState'];
    let paths: Record<string, string> = {};

    test.beforeAll(async ({ browser }, testInfo) => {
      const baseURL = testInfo.project.use.baseURL!;
      const api = await playwrightRequest.newContext({ baseURL });
      const user = await createAccount(api, baseURL, { email: uniqueEmail('shots'), password: TEST_PASSWORD });
      await api.dispose();
      // An administrator, so that Settings shows the deployment section and Protected APIs opens.
      await testDb().query("UPDATE users SET role = 'ADMIN' WHERE email = $1", [user.email]);
      const context = await browser.newContext({ baseURL, extraHTTPHeaders: { 'X-Forwarded-For': ip } });
      const page = await context.newPage();
      await signInInBrowser(page, user.email);
      const agent = await delegatedToken(page.request, baseURL, 'datasets:read reports:read offline_access', {}, { signedInAs: user, agentName: 'Quarterly report agent' });
      await page.request.get('/api/v1/datasets', { headers: agent.auth });
      await page.request.get('/api/v1/invoices', { headers: agent.auth }); // refused: some red in the charts
      // A payment waiting for approval: the inbox card and its review page.
      const { rows } = await testDb().query(
        `INSERT INTO approval_requests (id, auth_req_id_hash, user_id, agent_id, scopes, resources, authorization_details, binding_message, required_acr, window_seconds, expires_at)
         VALUES (gen_random_uuid(), md5(random()::text), $1, $2, '{payments:write}', '{}', $3, 'Pay invoice INV-2026-0142 before the late fee', 'urn:leash:acr:mfa', 600, now() + interval '30 minutes') RETURNING id`,
        [agent.userId, agent.agentId, JSON.stringify([{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '1250.00' }, creditorName: 'ACME Facilities Ltd' }])],
      );
      paths = { agent: `/agents/${agent.agentId}`, policy: `/agents/${agent.agentId}/policy`, approval: `/approvals/${rows[0].id}`, resources: '/settings/resources' };
      storageState = await context.storageState();
      await context.close();
    });

    for (const screen of SCREENS) {
      test(`${screen} fits ${size.name} width (${size.width} px) in light and dark`, async ({ browser, baseURL }) => {
        const context = await browser.newContext({ baseURL, storageState, viewport: size, colorScheme: 'light', extraHTTPHeaders: { 'X-Forwarded-For': ip } });
        const page = await context.newPage();
        await page.goto(paths[screen] ?? `/${screen}`);
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await expect(page.getByText('This page could not be loaded')).toHaveCount(0);
        for (const colorScheme of SCHEMES) {
          await page.emulateMedia({ colorScheme });
          expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(colorScheme === 'dark');
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          expect(overflow, `${screen} at ${size.name} in ${colorScheme} is wider than the screen`).toBeLessThanOrEqual(0);
          await page.screenshot({ path: `.leash-test/screenshots/${screen}-${size.name}-${colorScheme}.png`, fullPage: true });
        }
        await context.close();
      });
    }
  });
}
