// A user who delegated to an agent, for black-box tests of the agents' API: a fresh account signs
// in, a public agent registers, and the authorization code flow (PKCE) yields its access token.
// `setPolicy` stores a version of the user's policy for that agent, as the dashboard will.
import type pg from 'pg';
import { expect, type APIRequestContext } from '@playwright/test';
import { createAccount, signInOverHttp, uniqueEmail, uniqueIp } from './accounts';
import { changeSeen, testDb } from './db';
import { AGENT_CALLBACK, authorizeOverHttp, exchangeCode, pkce, registerPublicAgent } from './oauth';

export type Delegation = { token: string; auth: { Authorization: string }; userId: string; agentId: string; clientId: string; clientSecret?: string };

/**
 * `signedInAs`: `request` already carries that user's session (a page's `page.request`), so the
 * agent is connected to that user instead of a fresh one. `agentName`: the agent's client_name.
 * `db`: the database of the server at `baseURL` when it is not the suite's (a server with its own).
 */
export async function delegatedToken(
  request: APIRequestContext,
  baseURL: string,
  scope: string,
  extra: Record<string, string | string[]> = {},
  options: { signedInAs?: { email: string }; agentName?: string; registration?: Record<string, unknown>; db?: pg.Pool } = {},
): Promise<Delegation & { refreshToken?: string }> {
  let user = options.signedInAs;
  if (!user) {
    user = await createAccount(request, baseURL, { email: uniqueEmail('delegate'), password: 'a-long-enough-passphrase' });
    expect((await signInOverHttp(request, baseURL, user as { email: string; password: string }, uniqueIp())).error).toBeNull();
  }
  const client = await registerPublicAgent(request, { ...(options.agentName ? { client_name: options.agentName } : {}), ...options.registration });
  const { verifier, challenge } = pkce();
  const back = await authorizeOverHttp(request, baseURL, {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: AGENT_CALLBACK,
    scope,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  // A confidential agent (`registration` with client_secret_post) authenticates at the token endpoint.
  const response = await exchangeCode(request, client, back.searchParams.get('code')!, verifier, client.client_secret ? { client_secret: client.client_secret } : {});
  expect(response.status(), await response.text()).toBe(200);
  const tokens = await response.json();
  const token = tokens.access_token as string;
  const { rows } = await (options.db ?? testDb()).query('SELECT u.id AS user_id, a.id AS agent_id FROM users u, agents a WHERE u.email = $1 AND a.client_id = $2', [user.email, client.client_id]);
  return {
    token,
    refreshToken: tokens.refresh_token,
    auth: { Authorization: `Bearer ${token}` },
    userId: rows[0].user_id,
    agentId: rows[0].agent_id,
    clientId: client.client_id,
    clientSecret: client.client_secret,
  };
}

export const DEFAULT_POLICY = {
  version: 1,
  scopeCeiling: ['datasets:read', 'reports:read', 'reports:write', 'workflows:trigger', 'invoices:read', 'invoices:write', 'payments:write', 'offline_access'],
  actions: {},
  resources: {},
  rateLimit: { perMinute: 600, perDay: 100000 },
  tokens: { accessTokenSeconds: 600, refreshAllowed: true, refreshDays: 30, dpopRequired: false },
};

/**
 * A policy override that takes the per-agent rate limit out of the way (the schema's maximums), for
 * specs that drive traffic at machine speed and are not about the limit: past the default 600 calls
 * a minute, a quick machine would get 429s they do not expect.
 */
export const NO_RATE_LIMIT = { rateLimit: { perMinute: 1_000_000, perDay: 10_000_000 } };

/** Stores the next version of the user's policy for the agent (the defaults, overridden), in `db` (default: the suite's). */
export async function setPolicy(delegation: Pick<Delegation, 'userId' | 'agentId'>, document: Record<string, unknown>, db: pg.Pool = testDb()) {
  await storePolicyVersion(delegation, { ...DEFAULT_POLICY, ...document }, db);
}

/**
 * Stores the next version of the user's policy for the agent, as another instance would: the
 * servers keep the newest version in their caches until the `leash_cache` notification for it
 * arrives (lib/policy/load-agent-policy.ts), so this waits for that notification (on `db`, the
 * suite's database or a spec's own) before the test's next request.
 */
export async function storePolicyVersion(ids: Pick<Delegation, 'userId' | 'agentId'>, document: Record<string, unknown>, db: pg.Pool = testDb()) {
  const sql = `INSERT INTO policies (id, user_id, agent_id, version, document, cedar)
     SELECT gen_random_uuid(), $1, $2, COALESCE(MAX(version), 0) + 1, $3, '-- compiled at load' FROM policies WHERE user_id = $1 AND agent_id = $2
     RETURNING user_id || ':' || agent_id AS cache_key`;
  const params = [ids.userId, ids.agentId, JSON.stringify(document)];
  await changeSeen(sql, params, db);
}

export async function auditRow(requestId: string) {
  const { rows } = await testDb().query('SELECT action, decision, reason, details FROM audit_events WHERE request_id = $1 ORDER BY id', [requestId]);
  return rows[0];
}
