// Attacks on the signed-in user's browser session, over HTTP: forged revocations and kill switches
// from another origin (CSRF, RFC 9700 §4.7 / OWASP), and framing of the consent screen and the
// dashboard (clickjacking, RFC 9700 §4.16, RFC 6749 §10.13). The browser-level versions (a real
// foreign page posting and framing) are in e2e/browser/security-foreign-page.spec.ts; the baseline
// headers of /sign-in and /api/health are in security-headers.spec.ts; CSRF on sign-up, sign-in and
// sign-out is in csrf.spec.ts.
// @see d817ed2 (Security suite): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { testDb } from '../support/db';
import { sameOrigin, uniqueIp } from '../support/accounts';
import { delegatedToken } from '../support/delegation';
import { AGENT_CALLBACK, authorizeUrl, pkce, registerPublicAgent } from '../support/oauth';

test.use({ extraHTTPHeaders: { 'X-Forwarded-For': uniqueIp() } });

const forged: [string, Record<string, string>][] = [
  ['a foreign Origin', { Origin: 'https://evil.example' }],
  ['a sibling port on the same host', { Origin: 'http://localhost:1' }],
  ['the "null" Origin', { Origin: 'null' }],
  ['no Origin and Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
  ['no Origin and Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site' }],
  ['neither Origin nor Fetch Metadata', {}],
];

test('forged revoke, revoke-everything, kill switch and revoke-access requests change nothing; the same requests from Leash work', async ({ request, baseURL }) => {
  const victim = await delegatedToken(request, baseURL!, 'datasets:read offline_access');
  const { rows } = await testDb().query("SELECT id FROM tokens WHERE user_id = $1 AND kind = 'ACCESS'", [victim.userId]);
  const tokenId = rows[0].id as string;
  const routes: [string, unknown][] = [
    [`/api/account/tokens/${tokenId}/revoke`, undefined],
    ['/api/account/tokens/revoke-all', { confirm: 'revoke everything' }],
    [`/api/account/agents/${victim.agentId}/suspend`, undefined],
    [`/api/account/agents/${victim.agentId}/revoke-access`, undefined],
  ];
  for (const [path, data] of routes) {
    for (const [name, headers] of forged) {
      const response = await request.post(path, { headers, ...(data === undefined ? {} : { data }) });
      expect(response.status(), `${path} with ${name}`).toBe(403);
      expect(await response.json()).toEqual({ error: 'csrf_rejected', message: 'This request did not come from a Leash page and was refused.' });
    }
  }
  const state = async () =>
    (
      await testDb().query(
        `SELECT (SELECT count(*)::int FROM tokens WHERE user_id = $1 AND revoked_at IS NULL) AS live,
                (SELECT status::text FROM grants WHERE user_id = $1 AND agent_id = $2) AS grant,
                (SELECT count(*)::int FROM audit_events WHERE user_id = $1 AND action IN ('agent.suspend', 'grant.revoke', 'token.revoke', 'token.revoke_all')) AS controls`,
        [victim.userId, victim.agentId],
      )
    ).rows[0];
  expect(await state()).toEqual({ live: 2, grant: 'ACTIVE', controls: 0 });
  expect((await request.get('/api/v1/datasets', { headers: victim.auth })).status()).toBe(200);

  // The control: the same request from Leash's own origin is honoured (so the refusals above were the CSRF check).
  const own = await request.post(`/api/account/tokens/${tokenId}/revoke`, { headers: sameOrigin(baseURL) });
  expect(own.status()).toBe(200);
  expect(await state()).toEqual({ live: 1, grant: 'ACTIVE', controls: 1 });
  expect((await request.get('/api/v1/datasets', { headers: victim.auth })).status()).toBe(401);
});

test.describe('clickjacking: no page a user acts on may be framed (RFC 9700 §4.16)', () => {
  function expectUnframeable(headers: Record<string, string>, what: string) {
    expect(headers['x-frame-options'], what).toBe('DENY');
    const directives = (headers['content-security-policy'] ?? '').split(';').map((d) => d.trim());
    expect(directives, what).toContain("frame-ancestors 'none'");
  }

  test('the consent screen, the dashboard screens and the portal pages', async ({ request, baseURL }) => {
    const delegation = await delegatedToken(request, baseURL!, 'datasets:read'); // signs `request` in
    const client = await registerPublicAgent(request);
    const start = await request.get(
      authorizeUrl(baseURL!, {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: AGENT_CALLBACK,
        scope: 'datasets:read',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
      { maxRedirects: 0 },
    );
    expectUnframeable(start.headers(), 'the authorize redirect');
    const consentPath = new URL(start.headers()['location']!).pathname;
    const pages = [consentPath, '/agents', `/agents/${delegation.agentId}`, '/tokens', '/approvals', '/audit', '/settings', '/device', '/step-up'];
    for (const path of pages) {
      const response = await request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBe(200);
      expectUnframeable(response.headers(), path);
    }
    // The consent screen really rendered (the headers above belong to the page that matters).
    expect(await (await request.get(consentPath)).text()).toContain('name="consent_token"');
  });

  test('the authorization endpoint’s own error page', async ({ request, baseURL }) => {
    const response = await request.get(authorizeUrl(baseURL!, { client_id: 'agent_nobody', redirect_uri: AGENT_CALLBACK }), { maxRedirects: 0 });
    expect(response.status()).toBe(400);
    expect(await response.text()).toContain('Unknown application');
    expectUnframeable(response.headers(), 'authorize error page');
  });
});
