// DPoP (RFC 9449) end to end: oauth4webapi gets a DPoP-bound token (after the server's nonce,
// §8) and calls the API with proofs (§7); the attacks are refused: a bound token sent as Bearer,
// a replayed proof, a proof from another key, a proof for another URL; a public client's refresh
// token is bound to its key (§5); an agent's policy can require DPoP.
// @see acb7510 (DPoP (RFC 9449)): the commit whose behaviour these tests guard.
import * as oauth from 'oauth4webapi';
import { expect, test } from '@playwright/test';
import { testDb } from '../support/db';
import { delegatedToken, setPolicy } from '../support/delegation';
import { basic, registerMachineClient } from '../support/oauth';
import { createAccount, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { AGENT_CALLBACK, authorizeOverHttp, pkce, registerPublicAgent } from '../support/oauth';
import { ath, newKey, nonce, proof } from '../support/dpop';

const insecure = { [oauth.allowInsecureRequests]: true };

test('oauth4webapi: a DPoP-bound token after the nonce round trip, then protected calls with proofs', async ({ request, baseURL }) => {
  const registered = await registerMachineClient(request);
  const issuer = new URL(baseURL!);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }));
  expect(as.dpop_signing_alg_values_supported).toContain('ES256');
  const client: oauth.Client = { client_id: registered.client_id };
  const auth = oauth.ClientSecretBasic(registered.client_secret!);
  const DPoP = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
  const params = { scope: 'datasets:read' };
  let response = await oauth.clientCredentialsGrantRequest(as, client, auth, params, { DPoP, ...insecure });
  let tokens: oauth.TokenEndpointResponse;
  try {
    tokens = await oauth.processClientCredentialsResponse(as, client, response);
    throw new Error('expected the server to ask for its nonce first');
  } catch (error) {
    expect(oauth.isDPoPNonceError(error)).toBe(true);
    response = await oauth.clientCredentialsGrantRequest(as, client, auth, params, { DPoP, ...insecure });
    tokens = await oauth.processClientCredentialsResponse(as, client, response);
  }
  expect(tokens.token_type).toBe('dpop');
  const { rows } = await testDb().query('SELECT dpop_jkt FROM tokens WHERE token_hash = encode(sha256($1::bytea), $2)', [tokens.access_token, 'hex']);
  expect(rows[0].dpop_jkt).toMatch(/^[A-Za-z0-9_-]{43}$/);

  const api = new URL('/api/v1/datasets', baseURL);
  const call = await oauth.protectedResourceRequest(tokens.access_token, 'GET', api, undefined, undefined, { DPoP, ...insecure });
  expect(call.status).toBe(200);
  expect((await oauth.protectedResourceRequest(tokens.access_token, 'GET', api, undefined, undefined, { DPoP, ...insecure })).status).toBe(200);

  const introspection = await request.post('/oauth/introspect', { headers: { Authorization: basic(registered.client_id, registered.client_secret!) }, form: { token: tokens.access_token } });
  expect(await introspection.json()).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: rows[0].dpop_jkt } });

  // A DPoP-bound token presented as a plain bearer token is refused (§7.2).
  const asBearer = await request.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${tokens.access_token}` } });
  expect(asBearer.status()).toBe(401);
  expect(asBearer.headers()['www-authenticate']).toMatch(/^DPoP .*error="invalid_token"/);
});

test('replayed, foreign-key, wrong-URL and unbound proofs are refused at the resource server', async ({ request, baseURL }) => {
  const registered = await registerMachineClient(request);
  const key = await newKey();
  const n = await nonce(request, baseURL!, key);
  const issued = await request.post('/oauth/token', {
    headers: { Authorization: basic(registered.client_id, registered.client_secret!), DPoP: await proof(key, 'POST', `${baseURL}/oauth/token`, { nonce: n }) },
    form: { grant_type: 'client_credentials', scope: 'datasets:read' },
  });
  expect(issued.status()).toBe(200);
  const token = (await issued.json()).access_token as string;
  const url = `${baseURL}/api/v1/datasets`;
  const call = (dpop: string) => request.get('/api/v1/datasets', { headers: { Authorization: `DPoP ${token}`, DPoP: dpop } });

  const good = await proof(key, 'GET', url, { nonce: n, ath: ath(token) });
  expect((await call(good)).status()).toBe(200);
  const replay = await call(good);
  expect(replay.status()).toBe(401);
  expect(replay.headers()['www-authenticate']).toContain('error="invalid_dpop_proof"');
  expect((await replay.json()).error_description).toBe('This DPoP proof was already used.');

  const stranger = await newKey();
  const foreign = await call(await proof(stranger, 'GET', url, { nonce: n, ath: ath(token) }));
  expect(foreign.status()).toBe(401);
  expect((await foreign.json()).error_description).toBe('The DPoP proof was made with another key than the one this token is bound to.');

  for (const [label, dpop] of [
    ['another URL', await proof(key, 'GET', `${baseURL}/api/v1/reports`, { nonce: n, ath: ath(token) })],
    ['another method', await proof(key, 'POST', url, { nonce: n, ath: ath(token) })],
    ['no ath', await proof(key, 'GET', url, { nonce: n })],
    ['an old iat', await proof(key, 'GET', url, { nonce: n, ath: ath(token), iat: Math.floor(Date.now() / 1000) - 600 })],
  ] as const) {
    const refused = await call(dpop);
    expect(refused.status(), label).toBe(401);
    expect((await refused.json()).error, label).toBe('invalid_dpop_proof');
  }
  const noNonce = await call(await proof(key, 'GET', url, { ath: ath(token) }));
  expect(noNonce.status()).toBe(401);
  expect(noNonce.headers()['www-authenticate']).toContain('error="use_dpop_nonce"');
  expect(noNonce.headers()['dpop-nonce']).toBeTruthy();
});

test('a public client’s refresh token is bound to its DPoP key (RFC 9449 §5)', async ({ request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('dpop'), password: 'a-long-enough-passphrase' });
  expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
  const client = await registerPublicAgent(request);
  const { verifier, challenge } = pkce();
  const back = await authorizeOverHttp(request, baseURL!, {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: AGENT_CALLBACK,
    scope: 'datasets:read offline_access',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const key = await newKey();
  const n = await nonce(request, baseURL!, key);
  const tokenUrl = `${baseURL}/oauth/token`;
  const exchanged = await request.post('/oauth/token', {
    headers: { DPoP: await proof(key, 'POST', tokenUrl, { nonce: n }) },
    form: { grant_type: 'authorization_code', client_id: client.client_id, code: back.searchParams.get('code')!, code_verifier: verifier, redirect_uri: AGENT_CALLBACK },
  });
  expect(exchanged.status(), await exchanged.text()).toBe(200);
  const tokens = await exchanged.json();
  expect(tokens.token_type).toBe('DPoP');
  const refresh = (headers: Record<string, string>) =>
    request.post('/oauth/token', { headers, form: { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: tokens.refresh_token } });

  const without = await refresh({});
  expect(without.status()).toBe(400);
  expect((await without.json()).error).toBe('invalid_dpop_proof');
  const otherKey = await refresh({ DPoP: await proof(await newKey(), 'POST', tokenUrl, { nonce: n }) });
  expect((await otherKey.json()).error).toBe('invalid_dpop_proof');
  const same = await refresh({ DPoP: await proof(key, 'POST', tokenUrl, { nonce: n }) });
  expect(same.status()).toBe(200);
  expect((await same.json()).token_type).toBe('DPoP');
});

test('an agent’s policy can require DPoP: bearer calls and bearer issuance are refused', async ({ request, baseURL }) => {
  const delegation = await delegatedToken(request, baseURL!, 'datasets:read offline_access');
  await setPolicy(delegation, { tokens: { accessTokenSeconds: 600, refreshAllowed: true, refreshDays: 30, dpopRequired: true } });
  const call = await request.get('/api/v1/datasets', { headers: delegation.auth });
  expect(call.status()).toBe(401);
  expect(call.headers()['www-authenticate']).toMatch(/^DPoP /);
  expect((await call.json()).error_description).toBe("The user's policy for this agent requires a DPoP-bound token.");
  const refreshed = await request.post('/oauth/token', { form: { grant_type: 'refresh_token', client_id: delegation.clientId, refresh_token: delegation.refreshToken! } });
  expect(refreshed.status()).toBe(400);
  expect((await refreshed.json()).error).toBe('invalid_dpop_proof');
});
