// What a real browser does with a hostile page. The page is served from another port of the same
// host (`localhost`): same site, so the browser does send the user's SameSite=Lax session cookie
// with its POSTs, and only Leash's own defences stand in the way. Clickjacking (RFC 9700 §4.16,
// RFC 6749 §10.13), CSRF (RFC 9700 §4.7, RFC 6749 §10.12), and agent-chosen markup on the consent
// screen. The HTTP-level versions are in e2e/api/security-dashboard.spec.ts and security-input.spec.ts.
// @see 6e981d8 (Security tests in the browser): the commit whose behaviour these tests guard.
import http from 'node:http';
import type net from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { testDb } from '../support/db';
import { createAccount, signedInPage, uniqueEmail } from '../support/accounts';
import { delegatedToken } from '../support/delegation';
import { AGENT_CALLBACK, authorizeUrl, pkce, registerPublicAgent } from '../support/oauth';

let foreign: http.Server;
let foreignOrigin: string;
const pages = new Map<string, string>();

test.beforeAll(async () => {
  foreign = http.createServer((req, res) => {
    const html = pages.get(req.url!);
    if (!html) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  foreignOrigin = `http://localhost:${(foreign.address() as net.AddressInfo).port}`;
});
test.afterAll(() => new Promise<void>((resolve) => foreign.close(() => resolve())));

let pageCount = 0;
function host(html: string): string {
  const path = `/attack-${++pageCount}`;
  pages.set(path, `<!doctype html><html><body>${html}</body></html>`);
  return `${foreignOrigin}${path}`;
}

async function victim(browser: import('@playwright/test').Browser, request: import('@playwright/test').APIRequestContext, baseURL: string) {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('sec-browser'), password: 'a-long-enough-passphrase' });
  const page = await signedInPage(browser, user.email, { baseURL });
  return { user, page };
}

async function pendingConsentPath(page: Page, baseURL: string, clientName?: string) {
  const client = await registerPublicAgent(page.request, clientName ? { client_name: clientName } : {});
  const start = await page.request.get(
    authorizeUrl(baseURL, { response_type: 'code', client_id: client.client_id, redirect_uri: AGENT_CALLBACK, scope: 'reports:read', code_challenge: pkce().challenge, code_challenge_method: 'S256' }),
    { maxRedirects: 0 },
  );
  expect(start.status()).toBe(303);
  return new URL(start.headers()['location']!).pathname;
}

test('a foreign page cannot frame the consent screen or the dashboard (frame-ancestors, X-Frame-Options)', async ({ browser, request, baseURL }) => {
  const { page } = await victim(browser, request, baseURL!);
  const consentPath = await pendingConsentPath(page, baseURL!);
  pages.set('/own', '<!doctype html><p id="own">framable content</p>');
  const attack = host(`
    <iframe id="consent" src="${baseURL}${consentPath}"></iframe>
    <iframe id="tokens" src="${baseURL}/tokens"></iframe>
    <iframe id="control" src="/own"></iframe>`);
  await page.goto(attack);
  // The control: a frame that allows framing renders, so the refusals below are Leash's headers.
  await expect(page.frameLocator('#control').locator('#own')).toHaveText('framable content');
  for (const id of ['consent', 'tokens']) {
    const frame = await (await page.$(`#${id}`))!.contentFrame();
    await expect.poll(() => frame!.url(), { message: id }).toBe('chrome-error://chromewebdata/');
    await expect(page.frameLocator(`#${id}`).getByRole('button')).toHaveCount(0);
  }
  await page.context().close();
});

test('a foreign page’s form post and fetch, sent with the session cookie, revoke nothing and decide nothing', async ({ browser, request, baseURL }) => {
  const { user, page } = await victim(browser, request, baseURL!);
  const delegation = await delegatedToken(page.request, baseURL!, 'datasets:read', {}, { signedInAs: user });
  const { rows } = await testDb().query("SELECT id FROM tokens WHERE user_id = $1 AND kind = 'ACCESS'", [delegation.userId]);
  const consentPath = await pendingConsentPath(page, baseURL!);
  // Suppose the consent token leaked to the attacker: the decision still has to come from Leash.
  const consentToken = /name="consent_token" value="([^"]+)"/.exec(await (await page.request.get(consentPath)).text())![1];

  // 1. A classic auto-submitting form (top-level navigation: SameSite=Lax cookies go along).
  await page.goto(
    host(`
    <form id="f" method="POST" action="${baseURL}/api/account/tokens/${rows[0].id}/revoke"></form>
    <script>document.getElementById('f').submit()</script>`),
  );
  await expect(page.locator('body')).toContainText('csrf_rejected');

  // 2. fetch() with credentials and no-cors "simple" requests (no preflight).
  await page.goto(host('<p>waiting</p>'));
  const statuses = await page.evaluate(
    async ({ base, consent, token }) => {
      const send = (path: string, body: string) =>
        fetch(`${base}${path}`, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body }).then((r) => r.type);
      return Promise.all([
        send('/api/account/tokens/revoke-all', JSON.stringify({ confirm: 'revoke everything' })),
        send(`/api/consent${consent.slice('/consent'.length)}`, JSON.stringify({ decision: 'allow', scopes: ['reports:read'], remember: true, consent_token: token })),
      ]);
    },
    { base: baseURL!, consent: consentPath, token: consentToken },
  );
  expect(statuses).toEqual(['opaque', 'opaque']);

  const state = await testDb().query(
    `SELECT (SELECT count(*)::int FROM tokens WHERE user_id = $1 AND revoked_at IS NULL) AS live,
            (SELECT status::text FROM authorization_requests WHERE id = $2) AS consent`,
    [delegation.userId, consentPath.slice('/consent/'.length)],
  );
  expect(state.rows[0]).toEqual({ live: 1, consent: 'PENDING' });
  expect((await page.request.get('/api/v1/datasets', { headers: delegation.auth })).status()).toBe(200);
  await page.context().close();
});

test('an agent name made of markup is shown as text on the consent screen, and runs nothing', async ({ browser, request, baseURL }) => {
  const { page } = await victim(browser, request, baseURL!);
  const name = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
  const dialogs: string[] = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await page.goto(await pendingConsentPath(page, baseURL!, name));
  await expect(page.getByText(name, { exact: false }).first()).toBeVisible();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(dialogs).toEqual([]);
  await page.context().close();
});
