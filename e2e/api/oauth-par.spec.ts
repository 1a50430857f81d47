// @see 2ae6fee (Pushed authorization requests (RFC 9126)): the commit whose behaviour these tests guard.
import { expect, test, type APIRequestContext } from '@playwright/test';
import * as oauth from 'oauth4webapi';
import { testDb } from '../support/db';
import { createAccount, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { AGENT_CALLBACK, authorizeOverHttp, authorizeUrl, exchangeCode, pkce, registerPublicAgent, type RegisteredClient } from '../support/oauth';

const password = 'a-long-enough-passphrase';

function push(request: APIRequestContext, client: RegisteredClient, challenge: string, extra: Record<string, string> = {}) {
  return request.post('/oauth/par', {
    form: {
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: AGENT_CALLBACK,
      scope: 'reports:read',
      state: 'pushed-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    },
  });
}

test.describe('pushed authorization requests (RFC 9126)', () => {
  test('a pushed request is used through request_uri, once', async ({ request, baseURL }) => {
    const user = await createAccount(request, baseURL, { email: uniqueEmail('par'), password });
    expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
    const client = await registerPublicAgent(request);
    const { verifier, challenge } = pkce();
    const pushed = await push(request, client, challenge);
    expect(pushed.status()).toBe(201);
    expect(pushed.headers()['cache-control']).toBe('no-store');
    const body = await pushed.json();
    expect(body).toEqual({ request_uri: expect.stringMatching(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{32}$/), expires_in: 60 });

    const back = await authorizeOverHttp(request, baseURL!, { client_id: client.client_id, request_uri: body.request_uri }, { scopes: ['reports:read'] });
    expect(back.searchParams.get('state')).toBe('pushed-state');
    const tokens = await (await exchangeCode(request, client, back.searchParams.get('code')!, verifier)).json();
    expect(tokens.scope).toBe('reports:read');

    const again = await request.get(authorizeUrl(baseURL!, { client_id: client.client_id, request_uri: body.request_uri }), { maxRedirects: 0 });
    expect(again.status()).toBe(400);
    expect(again.headers()['location']).toBeUndefined();
  });

  test('a request_uri is refused for another client, and after it expires', async ({ request, baseURL }) => {
    const client = await registerPublicAgent(request);
    const other = await registerPublicAgent(request);
    const { request_uri } = await (await push(request, client, pkce().challenge)).json();
    const stolen = await request.get(authorizeUrl(baseURL!, { client_id: other.client_id, request_uri }), { maxRedirects: 0 });
    expect(stolen.status()).toBe(400);

    await testDb().query("UPDATE authorization_requests SET request_uri_expires_at = now() - interval '1 second' WHERE agent_id = (SELECT id FROM agents WHERE client_id = $1)", [client.client_id]);
    const late = await request.get(authorizeUrl(baseURL!, { client_id: client.client_id, request_uri }), { maxRedirects: 0 });
    expect(late.status()).toBe(400);
  });

  test('errors are JSON, never redirects', async ({ request }) => {
    const client = await registerPublicAgent(request);
    const cases: [Record<string, string>, number, string][] = [
      [{ redirect_uri: 'https://evil.example/cb' }, 400, 'invalid_request'],
      [{ scope: 'admin' }, 400, 'invalid_scope'],
      [{ code_challenge_method: 'plain' }, 400, 'invalid_request'],
      [{ request_uri: 'urn:ietf:params:oauth:request_uri:x' }, 400, 'invalid_request'],
      [{ client_id: 'agent_nobody' }, 401, 'invalid_client'],
    ];
    for (const [extra, status, error] of cases) {
      const response = await push(request, client, pkce().challenge, extra);
      expect(response.status()).toBe(status);
      expect(response.headers()['location']).toBeUndefined();
      expect((await response.json()).error).toBe(error);
    }
  });

  test('oauth4webapi pushes a request and gets a usable request_uri', async ({ request, baseURL }) => {
    const client = await registerPublicAgent(request);
    const issuer = new URL(baseURL!);
    const insecure = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }));
    const { challenge } = pkce();
    const response = await oauth.pushedAuthorizationRequest(
      as,
      { client_id: client.client_id },
      oauth.None(),
      { response_type: 'code', redirect_uri: AGENT_CALLBACK, scope: 'datasets:read', code_challenge: challenge, code_challenge_method: 'S256' },
      insecure,
    );
    const result = await oauth.processPushedAuthorizationResponse(as, { client_id: client.client_id }, response);
    expect(result.expires_in).toBe(60);
    const start = await request.get(authorizeUrl(baseURL!, { client_id: client.client_id, request_uri: result.request_uri }), { maxRedirects: 0 });
    expect(start.status()).toBe(303);
    expect(start.headers()['location']).toContain('/consent/');
  });
});
