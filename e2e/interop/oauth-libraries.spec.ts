// The general-purpose OAuth libraries agents are built on, oauth4webapi and openid-client (panva),
// as a CLI agent or a backend worker uses them, for what e2e/api/interop.spec.ts (registration,
// client credentials, introspection, revocation of a plain token) does not cover: the device
// authorization grant with a person approving in Chromium, DPoP-bound tokens from each library's
// own DPoP support, a client-credentials request partly beyond the registration, and token
// exchange both ways (delegation to another agent with an actor token; an agent narrowing its own
// token). The oauth4webapi device-flow test backs the "A command-line agent: the device flow"
// snippet in docs/connect-your-agent.md.
// @see 4b12097 (Interop matrix): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import * as jose from 'jose';
import { uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken, setPolicy } from '../support/delegation';
import { ACCESS, TOKEN_EXCHANGE } from '../support/token-exchange';
import { enterDeviceCode, newPerson } from './support/person';

const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';
const insecure = { [oauth.allowInsecureRequests]: true }; // the test server is plain http on localhost
const tokenHash = "encode(sha256($1::bytea), 'hex')";
const O4W = { type: 'client', description: 'oauth4webapi' };
const OIDC = { type: 'client', description: 'openid-client' };

// The device flow waits out the server's polling interval (5 s, RFC 8628 §3.5) as a real CLI does.
test.describe.configure({ timeout: 60_000 });

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
});

async function discover(baseURL: string) {
  const issuer = new URL(baseURL);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }));
}

/** A registration from its own client address (the test server trusts one proxy hop), so the
 * per-address registration limit (LEASH_REGISTER_IP_LIMIT) is not shared with other tests. */
const ownAddress = () => ({ ...insecure, headers: { 'X-Forwarded-For': uniqueIp() } });

const openidClientOptions = { algorithm: 'oauth2' as const, execute: [client.allowInsecureRequests] };
// openid-client authenticates a client it registered with client_secret_post unless given another
// ClientAuth, and Leash holds a client to the method it registered (RFC 7591 §2 defaults to
// client_secret_basic): so these clients register client_secret_post.

/**
 * The CLI's polling loop around oauth4webapi (which leaves the loop to the application): wait the
 * interval, ask; authorization_pending → again, slow_down → five seconds more (RFC 8628 §3.5); a
 * DPoP nonce challenge (RFC 9449 §8) → again at once, the library has kept the nonce.
 */
async function pollForTokens(request: () => Promise<Response>, process: (r: Response) => Promise<oauth.TokenEndpointResponse>, intervalSeconds: number) {
  let interval = intervalSeconds;
  let wait = interval;
  for (;;) {
    await new Promise((r) => setTimeout(r, wait * 1000));
    wait = interval;
    try {
      return await process(await request());
    } catch (error) {
      if (oauth.isDPoPNonceError(error)) wait = 0;
      else if (error instanceof oauth.ResponseBodyError && error.error === 'authorization_pending') continue;
      else if (error instanceof oauth.ResponseBodyError && error.error === 'slow_down') wait = interval += 5;
      else throw error;
    }
  }
}

test('oauth4webapi: a CLI agent registers, runs the device flow with a DPoP key, the person types the code in Chromium; API call, refresh, revocation', async ({ page, request, baseURL }) => {
  test.info().annotations.push(O4W, { type: 'flow', description: 'device authorization grant (RFC 8628) via DCR, DPoP-bound tokens (RFC 9449), /api/v1/datasets, refresh, revocation (RFC 7009)' });
  const person = await newPerson(request, baseURL!, 'cli');
  const as = await discover(baseURL!);

  // Registration as a CLI sends it: a public client, the device grant and refresh, no redirect URI.
  const registered = await oauth.processDynamicClientRegistrationResponse(
    await oauth.dynamicClientRegistrationRequest(as, { client_name: 'Leash CLI', grant_types: [DEVICE, 'refresh_token'], token_endpoint_auth_method: 'none' }, ownAddress()),
  );
  expect(registered).toMatchObject({ grant_types: [DEVICE, 'refresh_token'], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'none' });
  const cli: oauth.Client = { client_id: registered.client_id };
  const keyPair = await oauth.generateKeyPair('ES256');
  const DPoP = oauth.DPoP(cli, keyPair);

  const started = await oauth.processDeviceAuthorizationResponse(as, cli, await oauth.deviceAuthorizationRequest(as, cli, oauth.None(), { scope: 'datasets:read offline_access' }, insecure));
  expect(started).toMatchObject({ verification_uri: `${baseURL}/device`, interval: 5 });

  // The CLI polls while the person, on another device, types the code it printed.
  const polling = pollForTokens(
    () => oauth.deviceCodeGrantRequest(as, cli, oauth.None(), started.device_code, { DPoP, ...insecure }),
    (response) => oauth.processDeviceCodeResponse(as, cli, response),
    started.interval!,
  );
  await enterDeviceCode(page, started.user_code, person, { agentName: 'Leash CLI' });
  const tokens = await polling;
  expect(tokens).toMatchObject({ token_type: 'dpop', scope: 'datasets:read offline_access' });
  const jkt = await jose.calculateJwkThumbprint(await jose.exportJWK(keyPair.publicKey));
  const bound = await testDb().query(`SELECT kind::text, dpop_jkt FROM tokens WHERE token_hash IN (${tokenHash}, encode(sha256($2::bytea), 'hex')) ORDER BY kind`, [
    tokens.access_token,
    tokens.refresh_token,
  ]);
  expect(bound.rows).toEqual([
    { kind: 'ACCESS', dpop_jkt: jkt },
    { kind: 'REFRESH', dpop_jkt: jkt }, // a public client's refresh token is bound too (RFC 9449 §5)
  ]);

  const datasets = new URL('/api/v1/datasets', baseURL);
  const call = await oauth.protectedResourceRequest(tokens.access_token, 'GET', datasets, undefined, undefined, { DPoP, ...insecure });
  expect(call.status).toBe(200);
  expect(((await call.json()) as { datasets: { id: string }[] }).datasets.map((d) => d.id)).toContain('ds_sales_2026');

  // Refresh (with a proof from the same key) rotates the refresh token.
  const refreshed = await oauth.processRefreshTokenResponse(as, cli, await oauth.refreshTokenGrantRequest(as, cli, oauth.None(), tokens.refresh_token!, { DPoP, ...insecure }));
  expect(refreshed.refresh_token).toBeDefined();
  expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

  // Sign-out: the CLI revokes its refresh token (a public client sends its client_id, RFC 7009 §2.1).
  await oauth.processRevocationResponse(await oauth.revocationRequest(as, cli, oauth.None(), refreshed.refresh_token!, insecure));
  const revoked = await testDb().query(`SELECT revoked_at IS NOT NULL AS revoked FROM tokens WHERE token_hash = ${tokenHash}`, [refreshed.refresh_token]);
  expect(revoked.rows).toEqual([{ revoked: true }]);
  const again = await oauth
    .processRefreshTokenResponse(as, cli, await oauth.refreshTokenGrantRequest(as, cli, oauth.None(), refreshed.refresh_token!, { DPoP, ...insecure }))
    .catch((error: unknown) => error);
  expect(again).toMatchObject({ error: 'invalid_grant' });
});

test('openid-client: a CLI agent registers and runs the device flow with the library’s own polling; the person types the code in Chromium', async ({ page, request, baseURL }) => {
  test.info().annotations.push(OIDC, { type: 'flow', description: 'device authorization grant (RFC 8628) via DCR, pollDeviceAuthorizationGrant, /api/v1/datasets' });
  const person = await newPerson(request, baseURL!, 'cli-oidc');
  const config = await client.dynamicClientRegistration(
    new URL(baseURL!),
    { client_name: 'openid-client CLI', grant_types: [DEVICE, 'refresh_token'], token_endpoint_auth_method: 'none' },
    client.None(),
    openidClientOptions,
  );
  const started = await client.initiateDeviceAuthorization(config, { scope: 'datasets:read' });
  const polling = client.pollDeviceAuthorizationGrant(config, started);
  await enterDeviceCode(page, started.user_code, person, { agentName: 'openid-client CLI' });
  const tokens = await polling;
  // It registered refresh_token, so Leash adds offline_access and says so (RFC 6749 §3.3).
  expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'datasets:read offline_access', refresh_token: expect.stringMatching(/^lsh_rt_/) });
  const call = await client.fetchProtectedResource(config, tokens.access_token, new URL('/api/v1/datasets', baseURL), 'GET');
  expect(call.status).toBe(200);
  const issued = await testDb().query(`SELECT t.audience, u.email FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ${tokenHash}`, [tokens.access_token]);
  expect(issued.rows).toEqual([{ audience: [`${baseURL}/api`], email: person.email.toLowerCase() }]);
});

test('openid-client: client credentials asking beyond the registration get the registered part, and say so; nothing registered is invalid_scope', async ({ baseURL }) => {
  test.info().annotations.push(OIDC, { type: 'flow', description: 'client credentials, scope partly beyond the registration (RFC 6749 §3.3)' });
  const config = await client.dynamicClientRegistration(
    new URL(baseURL!),
    { client_name: 'openid-client report job', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post', scope: 'datasets:read reports:read' },
    undefined,
    openidClientOptions,
  );
  // RFC 6749 §3.3: the server may issue less than asked and MUST then name what it issued.
  const partly = await client.clientCredentialsGrant(config, { scope: 'datasets:read invoices:read' });
  expect(partly.scope).toBe('datasets:read');
  const introspection = await client.tokenIntrospection(config, partly.access_token);
  expect(introspection).toMatchObject({ active: true, scope: 'datasets:read' });
  await expect(client.clientCredentialsGrant(config, { scope: 'invoices:read payments:write' })).rejects.toMatchObject({ error: 'invalid_scope' });
});

test('openid-client: token exchange with an actor token — agent B acts for the user agent A serves, as the user’s policy allows', async ({ request, baseURL }) => {
  test.info().annotations.push(OIDC, { type: 'flow', description: 'token exchange (RFC 8693) delegation: actor token, act claim in introspection, API call, revocation' });
  // Agent A: a user delegated to it (arranged over HTTP: the consent screen is covered above).
  const subject = await delegatedToken(request, baseURL!, 'datasets:read reports:read');
  // Agent B: a backend worker registered for client credentials and token exchange.
  const worker = await client.dynamicClientRegistration(
    new URL(baseURL!),
    { client_name: 'Summariser sub-agent', grant_types: ['client_credentials', TOKEN_EXCHANGE], token_endpoint_auth_method: 'client_secret_post', scope: 'datasets:read reports:read' },
    undefined,
    openidClientOptions,
  );
  const workerId = worker.clientMetadata().client_id;
  const actorToken = (await client.clientCredentialsGrant(worker, { scope: 'datasets:read' })).access_token;
  await setPolicy(subject, { mayAct: [workerId] }); // the user lets A's work be handed to B (§4.4 may_act)

  const exchanged = await client.genericGrantRequest(worker, TOKEN_EXCHANGE, {
    subject_token: subject.token,
    subject_token_type: ACCESS,
    actor_token: actorToken,
    actor_token_type: ACCESS,
    scope: 'reports:read',
  });
  expect(exchanged).toMatchObject({ token_type: 'bearer', scope: 'reports:read', issued_token_type: ACCESS });
  expect(exchanged.refresh_token).toBeUndefined();
  const introspection = await client.tokenIntrospection(worker, exchanged.access_token);
  expect(introspection).toMatchObject({ active: true, sub: subject.userId, client_id: workerId, scope: 'reports:read', act: { sub: workerId } });

  const call = await client.fetchProtectedResource(worker, exchanged.access_token, new URL('/api/v1/reports', baseURL), 'GET');
  expect(call.status).toBe(200);
  const audit = await testDb().query('SELECT actor, user_id FROM audit_events WHERE request_id = $1', [call.headers.get('x-request-id')]);
  expect(audit.rows).toEqual([{ actor: { sub: workerId }, user_id: subject.userId }]);

  await client.tokenRevocation(worker, exchanged.access_token);
  expect((await client.tokenIntrospection(worker, exchanged.access_token)).active).toBe(false);
  expect((await client.tokenIntrospection(worker, actorToken)).active).toBe(true); // only what was revoked
});

test('oauth4webapi: an agent narrows its own token by token exchange without an actor — fewer scopes, no act; broader asks refused', async ({ baseURL }) => {
  test.info().annotations.push(O4W, { type: 'flow', description: 'token exchange (RFC 8693) without actor_token: self-narrowing, introspection, invalid_scope and invalid_target' });
  const as = await discover(baseURL!);
  const registered = await oauth.processDynamicClientRegistrationResponse(
    await oauth.dynamicClientRegistrationRequest(
      as,
      { client_name: 'Planner agent', grant_types: ['client_credentials', TOKEN_EXCHANGE], token_endpoint_auth_method: 'client_secret_basic', scope: 'datasets:read reports:read' },
      ownAddress(),
    ),
  );
  const agent: oauth.Client = { client_id: registered.client_id };
  const auth = oauth.ClientSecretBasic(registered.client_secret as string);
  const own = await oauth.processClientCredentialsResponse(
    as,
    agent,
    await oauth.clientCredentialsGrantRequest(as, agent, auth, { scope: 'datasets:read reports:read', resource: `${baseURL}/api` }, insecure),
  );
  const narrow = async (parameters: Record<string, string>) =>
    oauth.processGenericTokenEndpointResponse(
      as,
      agent,
      await oauth.genericTokenEndpointRequest(as, agent, auth, TOKEN_EXCHANGE, { subject_token: own.access_token, subject_token_type: ACCESS, ...parameters }, insecure),
    );

  // A sub-task only needs to read datasets: the agent hands it a narrower copy of its own token.
  const narrowed = await narrow({ scope: 'datasets:read' });
  expect(narrowed).toMatchObject({ token_type: 'bearer', scope: 'datasets:read', issued_token_type: ACCESS });
  expect(narrowed.refresh_token).toBeUndefined();
  const introspect = async (token: string) => oauth.processIntrospectionResponse(as, agent, await oauth.introspectionRequest(as, agent, auth, token, insecure));
  const seen = await introspect(narrowed.access_token);
  expect(seen).toMatchObject({ active: true, client_id: registered.client_id, scope: 'datasets:read', aud: `${baseURL}/api` });
  expect(seen.act).toBeUndefined(); // still itself: no actor (RFC 8693 §4.1)
  const datasets = await oauth.protectedResourceRequest(narrowed.access_token, 'GET', new URL('/api/v1/datasets', baseURL), undefined, undefined, insecure);
  expect(datasets.status).toBe(200);

  // Never broader than what it holds (scope), nor for another audience (RFC 8693 §2.2.2).
  await expect(narrow({ scope: 'datasets:read invoices:read' })).rejects.toMatchObject({ error: 'invalid_scope' });
  await expect(narrow({ scope: 'datasets:read', resource: `${baseURL}/mcp` })).rejects.toMatchObject({ error: 'invalid_target' });
  expect((await introspect(own.access_token)).active).toBe(true); // the original is untouched
});

test('openid-client: a DPoP-bound client-credentials token from the library’s DPoP handle, used at /api/v1/datasets', async ({ request, baseURL }) => {
  test.info().annotations.push(OIDC, { type: 'flow', description: 'client credentials with DPoP (RFC 9449, randomDPoPKeyPair + getDPoPHandle), nonce round trip, /api/v1/datasets' });
  const config = await client.dynamicClientRegistration(
    new URL(baseURL!),
    { client_name: 'openid-client DPoP worker', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post', scope: 'datasets:read' },
    undefined,
    openidClientOptions,
  );
  const keyPair = await client.randomDPoPKeyPair('ES256');
  const DPoP = client.getDPoPHandle(config, keyPair);
  // The server asks for its nonce first (§8); openid-client retries once with it by itself.
  const tokens = await client.clientCredentialsGrant(config, { scope: 'datasets:read' }, { DPoP });
  expect(tokens.token_type).toBe('dpop');
  const jkt = await jose.calculateJwkThumbprint(await jose.exportJWK(keyPair.publicKey));
  expect(await client.tokenIntrospection(config, tokens.access_token)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });

  const datasets = new URL('/api/v1/datasets', baseURL);
  const call = await client.fetchProtectedResource(config, tokens.access_token, datasets, 'GET', undefined, undefined, { DPoP });
  expect(call.status).toBe(200);
  // The same token without its proof, as a plain bearer token, is refused (§7.2).
  const stolen = await request.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${tokens.access_token}` } });
  expect(stolen.status()).toBe(401);
});
