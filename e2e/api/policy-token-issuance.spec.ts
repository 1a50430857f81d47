// The user's policy for an agent bounds the token endpoint too: scopes are cut to the policy's
// ceiling (RFC 6749 §3.3; `scope` in the response, §5.1), nothing left is invalid_scope, the access
// token lives as long as the policy says, and refresh tokens exist only where it allows them.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { createAccount, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { setPolicy } from '../support/delegation';
import { AGENT_CALLBACK, authorizeOverHttp, exchangeCode, pkce, registerPublicAgent } from '../support/oauth';

/** A user consents to an agent; the code is not exchanged yet, so a policy can be set first. */
async function consented(request: APIRequestContext, baseURL: string, scope: string) {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('issuance'), password: 'a-long-enough-passphrase' });
  expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
  const client = await registerPublicAgent(request);
  const { verifier, challenge } = pkce();
  const back = await authorizeOverHttp(request, baseURL, {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: AGENT_CALLBACK,
    scope,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const { rows } = await testDb().query('SELECT u.id AS user_id, a.id AS agent_id FROM users u, agents a WHERE u.email = $1 AND a.client_id = $2', [user.email, client.client_id]);
  return {
    ids: { userId: rows[0].user_id as string, agentId: rows[0].agent_id as string },
    client,
    exchange: () => exchangeCode(request, client, back.searchParams.get('code')!, verifier),
  };
}

const tokenRows = async (agentId: string) =>
  (await testDb().query("SELECT kind, scopes, round(extract(epoch FROM expires_at - created_at))::int AS ttl FROM tokens WHERE agent_id = $1 AND revoked_at IS NULL AND used_at IS NULL ORDER BY kind", [agentId])).rows;

test('the code exchange issues only the scopes within the ceiling, for the policy’s lifetime', async ({ request, baseURL }) => {
  const flow = await consented(request, baseURL!, 'datasets:read reports:read');
  await setPolicy(flow.ids, { scopeCeiling: ['reports:read'], tokens: { accessTokenSeconds: 120, refreshAllowed: true, refreshDays: 30, dpopRequired: false } });
  const response = await flow.exchange();
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ scope: 'reports:read', expires_in: 120, token_type: 'Bearer' });
  expect(await tokenRows(flow.ids.agentId)).toEqual([{ kind: 'ACCESS', scopes: ['reports:read'], ttl: 120 }]);
});

test('nothing within the ceiling is invalid_scope: no token, and an audit row', async ({ request, baseURL }) => {
  const flow = await consented(request, baseURL!, 'datasets:read');
  await setPolicy(flow.ids, { scopeCeiling: ['reports:read'] });
  const response = await flow.exchange();
  expect(response.status()).toBe(400);
  expect((await response.json()).error).toBe('invalid_scope');
  expect(await tokenRows(flow.ids.agentId)).toEqual([]);
  const { rows } = await testDb().query("SELECT decision, reason FROM audit_events WHERE agent_id = $1 AND action = 'token.refuse'", [flow.ids.agentId]);
  expect(rows).toEqual([{ decision: 'DENY', reason: "policy v1: none of the granted scopes is within the agent's scope ceiling" }]);
});

test('with refresh switched off: no refresh token is issued, and one issued before is refused and its family revoked', async ({ request, baseURL }) => {
  const before = await consented(request, baseURL!, 'datasets:read offline_access');
  const first = await (await before.exchange()).json();
  expect(first.refresh_token).toBeTruthy();
  await setPolicy(before.ids, { tokens: { accessTokenSeconds: 600, refreshAllowed: false, refreshDays: 30, dpopRequired: false } });
  const refused = await request.post('/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: before.client.client_id } });
  expect(refused.status()).toBe(400);
  expect(await refused.json()).toMatchObject({ error: 'invalid_grant', error_description: "This agent's policy no longer allows refresh tokens." });
  expect((await tokenRows(before.ids.agentId)).map((t) => t.kind)).toEqual(['ACCESS']); // the refresh family is revoked

  const after = await consented(request, baseURL!, 'datasets:read offline_access');
  await setPolicy(after.ids, { tokens: { accessTokenSeconds: 600, refreshAllowed: false, refreshDays: 30, dpopRequired: false } });
  const body = await (await after.exchange()).json();
  expect(body.refresh_token).toBeUndefined();
  expect(body.scope).toBe('datasets:read offline_access');
});

test('a refresh after the ceiling was lowered gets only what is still allowed, and the family keeps the policy’s shorter life', async ({ request, baseURL }) => {
  const flow = await consented(request, baseURL!, 'datasets:read reports:read offline_access');
  const first = await (await flow.exchange()).json();
  await setPolicy(flow.ids, { scopeCeiling: ['reports:read', 'offline_access'], tokens: { accessTokenSeconds: 300, refreshAllowed: true, refreshDays: 1, dpopRequired: false } });
  const refreshed = await request.post('/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: flow.client.client_id } });
  expect(refreshed.status()).toBe(200);
  expect(await refreshed.json()).toMatchObject({ scope: 'offline_access reports:read', expires_in: 300 });
  const rows = await tokenRows(flow.ids.agentId);
  expect(rows.find((r) => r.kind === 'REFRESH')).toMatchObject({ scopes: ['reports:read', 'offline_access'] });
  expect(rows.find((r) => r.kind === 'REFRESH')!.ttl).toBeLessThanOrEqual(86_400);
});
