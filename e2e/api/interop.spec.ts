// Interoperability: real third-party OAuth clients against the running server. A bug our own
// helpers share with the server is still caught here. (Authorization code + PKCE through the
// consent page arrives with the authorization endpoint.)
// @see 32cc44a (Authorization server, machine-to-machine core): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';

test('oauth4webapi: discovery, registration, client credentials, introspection, revocation', async ({ baseURL }) => {
  const issuer = new URL(baseURL!);
  const insecure = { [oauth.allowInsecureRequests]: true }; // the test server is plain http on localhost
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }));
  expect(as.issuer).toBe(baseURL);

  const registered = await oauth.processDynamicClientRegistrationResponse(
    await oauth.dynamicClientRegistrationRequest(as, { client_name: 'oauth4webapi agent', grant_types: ['client_credentials'], scope: 'datasets:read reports:read' }, insecure),
  );
  const agent: oauth.Client = { client_id: registered.client_id };
  const auth = oauth.ClientSecretBasic(registered.client_secret as string);

  const tokens = await oauth.processClientCredentialsResponse(as, agent, await oauth.clientCredentialsGrantRequest(as, agent, auth, { scope: 'datasets:read', resource: `${baseURL}/mcp` }, insecure));
  expect(tokens.token_type).toBe('bearer'); // oauth4webapi normalises the case
  expect(tokens.scope).toBe('datasets:read');
  expect(tokens.expires_in).toBe(600);

  const introspection = await oauth.processIntrospectionResponse(as, agent, await oauth.introspectionRequest(as, agent, auth, tokens.access_token, insecure));
  expect(introspection).toMatchObject({ active: true, client_id: registered.client_id, scope: 'datasets:read', aud: `${baseURL}/mcp` });

  await oauth.processRevocationResponse(await oauth.revocationRequest(as, agent, auth, tokens.access_token, insecure));
  const after = await oauth.processIntrospectionResponse(as, agent, await oauth.introspectionRequest(as, agent, auth, tokens.access_token, insecure));
  expect(after.active).toBe(false);

  // A wrong secret: 401 with the Basic challenge, which the library surfaces as such.
  const wrong = oauth.ClientSecretBasic('lsh_cs_wrong');
  const failure = await oauth.processClientCredentialsResponse(as, agent, await oauth.clientCredentialsGrantRequest(as, agent, wrong, {}, insecure)).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
  expect(failure).toMatchObject({ status: 401, cause: [{ scheme: 'basic', parameters: { realm: 'leash' } }] });
});

test('openid-client: dynamic registration, client credentials, introspection and revocation', async ({ baseURL }) => {
  const config = await client.dynamicClientRegistration(
    new URL(baseURL!),
    { client_name: 'openid-client agent', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post', scope: 'reports:read reports:write' },
    undefined,
    { algorithm: 'oauth2', execute: [client.allowInsecureRequests] },
  );
  expect(config.serverMetadata().issuer).toBe(baseURL);
  const tokens = await client.clientCredentialsGrant(config, { scope: 'reports:write' });
  expect(tokens.scope).toBe('reports:write');
  const introspection = await client.tokenIntrospection(config, tokens.access_token);
  expect(introspection.active).toBe(true);
  expect(introspection.client_type).toBe('ai-agent');
  await client.tokenRevocation(config, tokens.access_token);
  expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  await expect(client.clientCredentialsGrant(config, { scope: 'payments:write' })).rejects.toMatchObject({ error: 'invalid_scope' });
});
