// @see 758c647 (private_key_jwt client authentication (RFC 7523)): the commit whose behaviour these tests guard.
import crypto from 'node:crypto';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as oauth from 'oauth4webapi';
import { registerClient } from '../support/oauth';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

async function keyedClient(request: APIRequestContext) {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const client = await registerClient(request, {
    client_name: 'Key-holding agent',
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [jwk] },
    scope: 'reports:read',
  });
  expect(client.client_secret).toBeUndefined();
  return { client, privateKey };
}

function assertion(clientId: string, key: CryptoKey, audience: string, change: { iss?: string; exp?: number; jti?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(change.iss ?? clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(change.exp ?? now + 60)
    .setJti(change.jti ?? crypto.randomUUID())
    .sign(key);
}

const tokenRequest = (request: APIRequestContext, jwt: string) =>
  request.post('/oauth/token', {
    form: { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: jwt },
  });

test.describe('private_key_jwt client authentication (RFC 7523)', () => {
  test('a signed assertion authenticates; the same assertion replayed is refused', async ({ request, baseURL }) => {
    const { client, privateKey } = await keyedClient(request);
    const jwt = await assertion(client.client_id, privateKey, `${baseURL}/oauth/token`);
    const first = await tokenRequest(request, jwt);
    expect(first.status()).toBe(200);
    expect((await first.json()).scope).toBe('reports:read');
    const replay = await tokenRequest(request, jwt);
    expect(replay.status()).toBe(401);
    expect(await replay.json()).toEqual({ error: 'invalid_client', error_description: 'The client assertion is invalid, expired or was already used.' });
  });

  test('the issuer is an accepted audience too', async ({ request, baseURL }) => {
    const { client, privateKey } = await keyedClient(request);
    expect((await tokenRequest(request, await assertion(client.client_id, privateKey, baseURL!))).status()).toBe(200);
  });

  test('a wrong key, audience, issuer, expiry or lifetime is invalid_client', async ({ request, baseURL }) => {
    const { client, privateKey } = await keyedClient(request);
    const other = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const bad = [
      await assertion(client.client_id, other.privateKey, `${baseURL}/oauth/token`),
      await assertion(client.client_id, privateKey, 'https://evil.example/token'),
      await assertion(client.client_id, privateKey, `${baseURL}/oauth/token`, { iss: 'agent_someone_else' }),
      await assertion(client.client_id, privateKey, `${baseURL}/oauth/token`, { exp: now - 60 }),
      await assertion(client.client_id, privateKey, `${baseURL}/oauth/token`, { exp: now + 3600 }),
      'not.a.jwt',
    ];
    for (const jwt of bad) {
      const response = await tokenRequest(request, jwt);
      expect(response.status()).toBe(401);
      expect((await response.json()).error).toBe('invalid_client');
    }
  });

  test('a secret cannot stand in for the key, and two methods at once are refused', async ({ request, baseURL }) => {
    const { client, privateKey } = await keyedClient(request);
    const withSecret = await request.post('/oauth/token', {
      form: { grant_type: 'client_credentials', client_id: client.client_id, client_secret: 'guess' },
    });
    expect(withSecret.status()).toBe(401);
    const both = await request.post('/oauth/token', {
      form: {
        grant_type: 'client_credentials',
        client_secret: 'x',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await assertion(client.client_id, privateKey, `${baseURL}/oauth/token`),
      },
    });
    expect(both.status()).toBe(400);
    expect((await both.json()).error).toBe('invalid_request');
  });

  test('registration refuses private_key_jwt without keys, and private keys in jwks', async ({ request }) => {
    const noKeys = await request.post('/oauth/register', {
      data: { grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt' },
    });
    expect((await noKeys.json()).error).toBe('invalid_client_metadata');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const leaked = await request.post('/oauth/register', {
      data: { grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [await exportJWK(privateKey)] } },
    });
    expect(leaked.status()).toBe(400);
    expect(await leaked.json()).toMatchObject({ error: 'invalid_client_metadata', error_description: expect.stringContaining('public JWKs') });
  });

  test('oauth4webapi authenticates with PrivateKeyJwt', async ({ request, baseURL }) => {
    const { client, privateKey } = await keyedClient(request);
    const issuer = new URL(baseURL!);
    const insecure = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }));
    const agent = { client_id: client.client_id };
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      agent,
      await oauth.clientCredentialsGrantRequest(as, agent, oauth.PrivateKeyJwt({ key: privateKey, kid: 'k1' }), { scope: 'reports:read' }, insecure),
    );
    expect(tokens.scope).toBe('reports:read');
  });
});
