// Attacks from the RFC 9700 threat list that no other spec covers, run against the live app. The
// rest of the list is covered where the feature is tested:
// - code injection and replay, wrong redirect_uri or client at the token endpoint, `iss` in the
//   authorization response (mix-up, RFC 9207), refresh-token replay and scope growth on refresh,
//   open redirect through errors, escaped agent text on error pages: oauth-authorization-code.spec.ts
// - DPoP replay, foreign key, htu/htm mismatch, stale iat, missing ath: dpop.spec.ts
// - private_key_jwt assertion replay: oauth-private-key-jwt.spec.ts
// - SSRF through client metadata documents (private, loopback, link-local, redirects): oauth-cimd.spec.ts
// - scope escalation through token exchange: token-exchange.spec.ts
// - CSRF on consent and dashboard writes: csrf.spec.ts; clickjacking headers: security-headers.spec.ts
// - IDOR across two users on every dashboard route: idor.spec.ts
// - oversized bodies and malformed JSON: fast-path.spec.ts (both mounts)
import { expect, test } from '@playwright/test';
import { createAccount, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { AGENT_CALLBACK, authorizeOverHttp, authorizeUrl, exchangeCode, pkce, postRaw, registerClient, registerPublicAgent } from '../support/oauth';

test.describe('PKCE downgrade (RFC 9700 §2.1.1, §4.8; RFC 7636 §4.4.1)', () => {
  test('an authorization request without a code_challenge, or with plain, gets no code', async ({ request, baseURL }) => {
    const client = await registerPublicAgent(request);
    const base = { response_type: 'code', client_id: client.client_id, redirect_uri: AGENT_CALLBACK, scope: 'datasets:read', state: 's' };
    for (const params of [base, { ...base, code_challenge: pkce().challenge, code_challenge_method: 'plain' }]) {
      const response = await request.get(authorizeUrl(baseURL!, params), { maxRedirects: 0 });
      expect(response.status()).toBe(303);
      const back = new URL(response.headers()['location']!);
      expect(`${back.origin}${back.pathname}`).toBe(AGENT_CALLBACK);
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.get('code')).toBeNull();
      expect(back.searchParams.get('state')).toBe('s');
    }
  });

  test('a code issued for an S256 challenge cannot be redeemed without its verifier', async ({ request, baseURL }) => {
    const user = await createAccount(request, baseURL, { email: uniqueEmail('pkce'), password: 'a-long-enough-passphrase' });
    expect((await signInOverHttp(request, baseURL, user as { email: string; password: string }, uniqueIp())).error).toBeNull();
    const client = await registerPublicAgent(request);
    const { challenge } = pkce();
    const back = await authorizeOverHttp(request, baseURL!, { response_type: 'code', client_id: client.client_id, redirect_uri: AGENT_CALLBACK, scope: 'datasets:read', code_challenge: challenge, code_challenge_method: 'S256' });
    const code = back.searchParams.get('code')!;
    const response = await request.post('/oauth/token', { form: { grant_type: 'authorization_code', client_id: client.client_id, code, redirect_uri: AGENT_CALLBACK } });
    expect(response.status()).toBe(400);
    expect((await response.json()).error).toBe('invalid_request');
    // The code is not left usable for someone who does have a verifier guess either.
    expect((await exchangeCode(request, client, code, pkce().verifier)).status()).toBe(400);
  });
});

test.describe('SSRF through registration (RFC 7591 §5: the server fetches nothing an agent names)', () => {
  test('a jwks_uri is not fetched at all: keys must be registered inline', async ({ request }) => {
    for (const jwks_uri of ['https://169.254.169.254/latest/meta-data', 'http://127.0.0.1:5432/', 'https://10.0.0.1/jwks.json']) {
      const response = await request.post('/oauth/register', {
        headers: { 'X-Forwarded-For': uniqueIp() },
        data: { client_name: 'Fetch me', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri },
      });
      expect(response.status(), jwks_uri).toBe(400);
      expect((await response.json()).error).toBe('invalid_client_metadata');
    }
  });

  test('logo and client URIs must be https (the browser loads them; the server never does)', async ({ request }) => {
    for (const logo_uri of ['http://127.0.0.1/logo.png', 'file:///etc/passwd', 'data:image/svg+xml,<svg onload=alert(1)>']) {
      const response = await request.post('/oauth/register', { headers: { 'X-Forwarded-For': uniqueIp() }, data: { client_name: 'Logo', grant_types: ['client_credentials'], logo_uri } });
      expect(response.status(), logo_uri).toBe(400);
      expect((await response.json()).error).toBe('invalid_client_metadata');
    }
  });
});

test.describe('bad input', () => {
  test('invalid UTF-8 and very long parameters at the token endpoint are invalid_request, not a crash', async ({ request }) => {
    const invalidUtf8 = Buffer.concat([Buffer.from('grant_type=client_credentials&scope='), Buffer.from([0xc3, 0x28, 0xff])]);
    const garbled = await request.post('/oauth/token', { data: invalidUtf8, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect([400, 401]).toContain(garbled.status());
    expect(['invalid_request', 'invalid_client']).toContain((await garbled.json()).error);
    const long = await postRaw(request, '/oauth/token', `grant_type=client_credentials&client_id=${'a'.repeat(60_000)}`);
    expect([400, 401]).toContain(long.status());
    expect(['invalid_request', 'invalid_client']).toContain((await long.json()).error);
  });

  test('HTML in a client name is shown as text on the consent screen', async ({ request, baseURL }) => {
    const user = await createAccount(request, baseURL, { email: uniqueEmail('xss'), password: 'a-long-enough-passphrase' });
    expect((await signInOverHttp(request, baseURL, user as { email: string; password: string }, uniqueIp())).error).toBeNull();
    const client = await registerClient(request, {
      client_name: '<img src=x onerror=alert(1)><script>alert(2)</script>',
      redirect_uris: [AGENT_CALLBACK],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'none',
    });
    const start = await request.get(authorizeUrl(baseURL!, { response_type: 'code', client_id: client.client_id, redirect_uri: AGENT_CALLBACK, scope: 'datasets:read', code_challenge: pkce().challenge, code_challenge_method: 'S256' }), { maxRedirects: 0 });
    expect(start.status()).toBe(303);
    const html = await (await request.get(new URL(start.headers()['location']!).pathname)).text();
    expect(html).not.toContain('<img src=x onerror');
    expect(html).not.toContain('<script>alert(2)');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
