// The user's policy for an agent bounds what the token endpoint issues for that user
// (authorization_code and refresh_token grants): scopes are the granted ones within the policy's
// scope ceiling (RFC 6749 §3.3, with `scope` in the response, §5.1), nothing left is invalid_scope
// (§5.2, audited, nothing issued), the access token lives `tokens.accessTokenSeconds`, and refresh
// tokens exist only while `tokens.refreshAllowed`, for at most `tokens.refreshDays`.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { createAccount, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { AGENT_CALLBACK, authorizeOverHttp, expectNoStore, pkce, registerPublicAgent } from '../support/oauth';
import { storePolicyVersion } from '../support/delegation';

const DAY = 86_400;

/** A valid policy document (lib/policy/policy-document.ts `defaultPolicyDocument()`), overridden. */
function policyDocument(overrides: { scopeCeiling?: string[]; tokens?: Partial<Tokens>; ipRanges?: string[] }) {
  return {
    version: 1,
    scopeCeiling: overrides.scopeCeiling ?? ['datasets:read', 'reports:read', 'reports:write', 'workflows:trigger', 'invoices:read', 'invoices:write', 'payments:write', 'offline_access'],
    actions: {},
    resources: {},
    rateLimit: { perMinute: 600, perDay: 100_000 },
    tokens: { accessTokenSeconds: 600, refreshAllowed: true, refreshDays: 30, dpopRequired: false, ...overrides.tokens },
    ...(overrides.ipRanges ? { ipRanges: overrides.ipRanges } : {}),
  };
}
type Tokens = { accessTokenSeconds: number; refreshAllowed: boolean; refreshDays: number; dpopRequired: boolean };
type Ids = { userId: string; agentId: string };

/** Stores the next version of the user's policy for the agent, as the dashboard does. */
async function setPolicy(ids: Ids, overrides: Parameters<typeof policyDocument>[0]) {
  await storePolicyVersion(ids, policyDocument(overrides));
}

/**
 * A fresh user consents to a fresh public agent for `scope`; the code is not exchanged yet, so a
 * policy can be stored first. Every token request of the flow comes from the same unique address.
 */
async function consented(request: APIRequestContext, baseURL: string, scope: string) {
  const ip = uniqueIp();
  const user = await createAccount(request, baseURL, { email: uniqueEmail('policy-issuance'), password: 'a-long-enough-passphrase' });
  expect((await signInOverHttp(request, baseURL, user, ip)).error).toBeNull();
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
  const ids: Ids = { userId: rows[0].user_id, agentId: rows[0].agent_id };
  const token = (form: Record<string, string>) => request.post('/oauth/token', { form: { client_id: client.client_id, ...form }, headers: { 'X-Forwarded-For': ip } });
  return {
    ip,
    ids,
    exchange: () => token({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, code_verifier: verifier, redirect_uri: AGENT_CALLBACK }),
    refresh: (refreshToken: string, extra: Record<string, string> = {}) => token({ grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }),
  };
}

type TokenRow = { kind: 'ACCESS' | 'REFRESH'; scopes: string[]; ttl: number; live: boolean };

/** Every token of the agent, oldest first: sorted scopes, lifetime in seconds, still usable. */
async function tokenRows(agentId: string): Promise<TokenRow[]> {
  const { rows } = await testDb().query(
    `SELECT kind, ARRAY(SELECT unnest(scopes) ORDER BY 1) AS scopes,
            round(extract(epoch FROM expires_at - created_at))::int AS ttl,
            (revoked_at IS NULL AND used_at IS NULL) AS live
       FROM tokens WHERE agent_id = $1 ORDER BY created_at, kind`,
    [agentId],
  );
  return rows;
}

async function refusals(agentId: string) {
  const { rows } = await testDb().query("SELECT action, decision, reason, ip, details FROM audit_events WHERE agent_id = $1 AND decision = 'DENY' ORDER BY id", [agentId]);
  return rows;
}

test.describe('authorization_code exchange under the agent policy', () => {
  test('scopes are cut to the ceiling, the access token lives accessTokenSeconds, refresh lives at most refreshDays', async ({ request, baseURL }) => {
    const flow = await consented(request, baseURL!, 'datasets:read reports:read offline_access');
    await setPolicy(flow.ids, { scopeCeiling: ['reports:read', 'offline_access'], tokens: { accessTokenSeconds: 90, refreshDays: 2 } });
    const before = Date.now();
    const response = await flow.exchange();
    const after = Date.now();
    expect(response.status()).toBe(200);
    expectNoStore(response.headers());
    const body = await response.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 90, scope: 'offline_access reports:read' });
    expect(body.refresh_token).toMatch(/^lsh_rt_/);
    expect(await tokenRows(flow.ids.agentId)).toEqual([
      { kind: 'ACCESS', scopes: ['offline_access', 'reports:read'], ttl: 90, live: true },
      { kind: 'REFRESH', scopes: ['offline_access', 'reports:read'], ttl: 2 * DAY, live: true },
    ]);
    // expires_at as the client sees it: issued now, plus the policy's lifetime.
    const { rows } = await testDb().query("SELECT expires_at FROM tokens WHERE agent_id = $1 AND kind = 'ACCESS'", [flow.ids.agentId]);
    const expiresAt = (rows[0].expires_at as Date).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + 90_000 - 1_000);
    expect(expiresAt).toBeLessThanOrEqual(after + 90_000 + 1_000);
  });

  test('nothing within the ceiling is invalid_scope: no token, one audited refusal', async ({ request, baseURL }) => {
    const flow = await consented(request, baseURL!, 'datasets:read offline_access');
    await setPolicy(flow.ids, { scopeCeiling: ['reports:read'] });
    const response = await flow.exchange();
    expect(response.status()).toBe(400);
    expectNoStore(response.headers());
    expect(await response.json()).toEqual({
      error: 'invalid_scope',
      error_description: "None of the granted scopes is allowed by the user's policy for this agent.",
    });
    expect(await tokenRows(flow.ids.agentId)).toEqual([]);
    expect(await refusals(flow.ids.agentId)).toEqual([
      {
        action: 'token.refuse',
        decision: 'DENY',
        reason: "policy v1: none of the granted scopes is within the agent's scope ceiling",
        ip: flow.ip,
        details: { error: 'invalid_scope' },
      },
    ]);
  });

  test('refreshAllowed false: no refresh token even with offline_access', async ({ request, baseURL }) => {
    const flow = await consented(request, baseURL!, 'datasets:read offline_access');
    await setPolicy(flow.ids, { tokens: { refreshAllowed: false } });
    const response = await flow.exchange();
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(body.refresh_token).toBeUndefined();
    expect(body.expires_in).toBe(600);
    expect(body.scope).toBe('datasets:read'); // offline_access is not granted where refresh is not allowed
    expect((await tokenRows(flow.ids.agentId)).map((t) => t.kind)).toEqual(['ACCESS']);
  });

  test('a policy that fails to load fails closed: 503 temporarily_unavailable, audited, nothing issued', async ({ request, baseURL }) => {
    const flow = await consented(request, baseURL!, 'datasets:read');
    await setPolicy(flow.ids, { ipRanges: ['not-a-range'] });
    const response = await flow.exchange();
    expect(response.status()).toBe(503);
    expectNoStore(response.headers());
    expect((await response.json()).error).toBe('temporarily_unavailable');
    expect(await tokenRows(flow.ids.agentId)).toEqual([]);
    const { rows } = await testDb().query("SELECT reason FROM audit_events WHERE agent_id = $1 AND action = 'token.refuse'", [flow.ids.agentId]);
    expect(rows).toEqual([{ reason: "refused: the agent's policy could not be loaded (failing closed)" }]);
  });
});

test.describe('refresh_token grant under the agent policy', () => {
  /** A code exchange under the default policy, then a new policy version. */
  async function refreshable(request: APIRequestContext, baseURL: string, scope: string) {
    const flow = await consented(request, baseURL, scope);
    const first = await flow.exchange();
    expect(first.status(), await first.text()).toBe(200);
    const body = await first.json();
    expect(body.refresh_token).toBeTruthy();
    return { ...flow, refreshToken: body.refresh_token as string };
  }

  test('a lowered ceiling narrows the refresh, with the policy’s access lifetime', async ({ request, baseURL }) => {
    const flow = await refreshable(request, baseURL!, 'datasets:read reports:read offline_access');
    await setPolicy(flow.ids, { scopeCeiling: ['datasets:read', 'offline_access'], tokens: { accessTokenSeconds: 300 } });
    const response = await flow.refresh(flow.refreshToken);
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'datasets:read offline_access' });
    expect(body.refresh_token).toMatch(/^lsh_rt_/);
    const live = (await tokenRows(flow.ids.agentId)).filter((t) => t.live);
    expect(live).toEqual([
      { kind: 'ACCESS', scopes: ['datasets:read', 'offline_access', 'reports:read'], ttl: 600, live: true }, // issued before, untouched
      { kind: 'ACCESS', scopes: ['datasets:read', 'offline_access'], ttl: 300, live: true },
      { kind: 'REFRESH', scopes: ['datasets:read', 'offline_access'], ttl: expect.any(Number), live: true },
    ]);
  });

  test('a ceiling without offline_access: the refresh answers, but the family ends (no new refresh token)', async ({ request, baseURL }) => {
    const flow = await refreshable(request, baseURL!, 'datasets:read offline_access');
    await setPolicy(flow.ids, { scopeCeiling: ['datasets:read'] });
    const response = await flow.refresh(flow.refreshToken);
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(body.scope).toBe('datasets:read');
    expect(body.refresh_token).toBeUndefined();
    expect((await tokenRows(flow.ids.agentId)).filter((t) => t.kind === 'REFRESH' && t.live)).toEqual([]);
  });

  test('nothing within the ceiling is invalid_scope: no token, the family revoked, audited', async ({ request, baseURL }) => {
    const flow = await refreshable(request, baseURL!, 'datasets:read offline_access');
    await setPolicy(flow.ids, { scopeCeiling: ['invoices:read'] });
    const response = await flow.refresh(flow.refreshToken);
    expect(response.status()).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_scope',
      error_description: "None of these scopes is allowed by the user's policy for this agent.",
    });
    const rows = await tokenRows(flow.ids.agentId);
    expect(rows.map((t) => t.kind)).toEqual(['ACCESS', 'REFRESH']); // nothing new
    expect(rows.find((t) => t.kind === 'REFRESH')!.live).toBe(false);
    expect(await refusals(flow.ids.agentId)).toEqual([
      {
        action: 'token.refuse',
        decision: 'DENY',
        reason: 'policy v1: none of the scopes is within the scope ceiling',
        ip: flow.ip,
        details: { error: 'invalid_scope' },
      },
    ]);
  });

  test('refreshAllowed false: an existing refresh token is refused with invalid_grant, revoked and audited', async ({ request, baseURL }) => {
    const flow = await refreshable(request, baseURL!, 'datasets:read offline_access');
    await setPolicy(flow.ids, { tokens: { refreshAllowed: false } });
    const response = await flow.refresh(flow.refreshToken);
    expect(response.status()).toBe(400);
    expectNoStore(response.headers());
    expect(await response.json()).toEqual({ error: 'invalid_grant', error_description: "This agent's policy no longer allows refresh tokens." });
    const rows = await tokenRows(flow.ids.agentId);
    expect(rows.map((t) => t.kind)).toEqual(['ACCESS', 'REFRESH']); // nothing new
    const { rows: refresh } = await testDb().query("SELECT revoked_at IS NOT NULL AS revoked, revoked_reason FROM tokens WHERE agent_id = $1 AND kind = 'REFRESH'", [flow.ids.agentId]);
    expect(refresh).toEqual([{ revoked: true, revoked_reason: 'policy v1: refresh tokens are not allowed for this agent' }]);
    expect(await refusals(flow.ids.agentId)).toEqual([
      {
        action: 'token.refuse',
        decision: 'DENY',
        reason: 'policy v1: refresh tokens are not allowed for this agent',
        ip: flow.ip,
        details: { error: 'invalid_grant' },
      },
    ]);
    // Regression: the refused token was spent as "used", so a client retrying it raised a false
    // refresh-token-reuse alarm. It is revoked instead: presenting it again is plainly invalid.
    const again = await flow.refresh(flow.refreshToken);
    expect(again.status()).toBe(400);
    expect(await again.json()).toEqual({ error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or revoked.' });
    expect((await tokenRows(flow.ids.agentId)).length).toBe(2);
    expect((await refusals(flow.ids.agentId)).map((r) => r.action)).toEqual(['token.refuse']);
    const { rows: alerts } = await testDb().query('SELECT kind FROM alerts WHERE agent_id = $1', [flow.ids.agentId]);
    expect(alerts).toEqual([]);
  });

  test('a policy that fails to load fails closed: 503 temporarily_unavailable, nothing issued, the refresh token left unspent', async ({ request, baseURL }) => {
    const flow = await refreshable(request, baseURL!, 'datasets:read offline_access');
    await setPolicy(flow.ids, { ipRanges: ['not-a-range'] });
    const response = await flow.refresh(flow.refreshToken);
    expect(response.status()).toBe(503);
    expectNoStore(response.headers());
    expect((await response.json()).error).toBe('temporarily_unavailable');
    expect((await tokenRows(flow.ids.agentId)).map((t) => [t.kind, t.live])).toEqual([
      ['ACCESS', true],
      ['REFRESH', true],
    ]);
    // Once the policy loads again, the same refresh token works.
    await setPolicy(flow.ids, {});
    expect((await flow.refresh(flow.refreshToken)).status()).toBe(200);
  });

  test('refreshDays caps the family’s absolute lifetime from its first token', async ({ request, baseURL }) => {
    const flow = await refreshable(request, baseURL!, 'datasets:read offline_access');
    await setPolicy(flow.ids, { tokens: { refreshDays: 1 } });
    const response = await flow.refresh(flow.refreshToken);
    expect(response.status()).toBe(200);
    const { rows } = await testDb().query(
      `SELECT round(extract(epoch FROM r.expires_at - f.created_at))::int AS life
         FROM tokens r, (SELECT min(created_at) AS created_at FROM tokens WHERE agent_id = $1 AND kind = 'REFRESH') f
        WHERE r.agent_id = $1 AND r.kind = 'REFRESH' AND r.used_at IS NULL AND r.revoked_at IS NULL`,
      [flow.ids.agentId],
    );
    expect(rows).toEqual([{ life: DAY }]);
  });
});
