// Insecure direct object references, swept: a second user, signed in, aims every dashboard route
// at the first user's agent, token, policy and approval request by id. Each answer is 404 (or an
// empty list), and nothing of the first user's changes.
// @see 68bcf15 (Security): the commit whose behaviour these tests guard.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { createAccount, sameOrigin, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken, setPolicy } from '../support/delegation';

const CIBA = 'urn:openid:params:grant-type:ciba';

test('another user reaches none of a user’s agents, tokens, policies, approvals or audit records', async ({ request, baseURL, playwright }) => {
  const owner = await delegatedToken(request, baseURL!, 'payments:write datasets:read', {}, { registration: { grant_types: ['authorization_code', CIBA], scope: 'payments:write datasets:read' } });
  await setPolicy(owner, { rateLimit: { perMinute: 100, perDay: 1000 } });
  const asked = await request.post('/oauth/bc-authorize', {
    form: {
      client_id: owner.clientId,
      login_hint: owner.userId,
      scope: 'payments:write',
      authorization_details: JSON.stringify([{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '1.00' }, creditorName: 'Probe' }]),
      binding_message: 'IDOR probe',
    },
  });
  expect(asked.status(), await asked.text()).toBe(200);
  const ids = async (sql: string) => (await testDb().query(sql, [owner.userId])).rows[0].id as string;
  const tokenId = await ids("SELECT id FROM tokens WHERE user_id = $1 AND kind = 'ACCESS' LIMIT 1");
  const approvalId = await ids('SELECT id FROM approval_requests WHERE user_id = $1 LIMIT 1');

  const intruder: APIRequestContext = await playwright.request.newContext({ baseURL });
  const other = await createAccount(intruder, baseURL, { email: uniqueEmail('intruder'), password: 'a-long-enough-passphrase' });
  expect((await signInOverHttp(intruder, baseURL, other, uniqueIp())).error).toBeNull();
  const headers = sameOrigin(baseURL);
  const posts: [string, unknown][] = [
    [`/api/account/tokens/${tokenId}/revoke`, undefined],
    [`/api/account/agents/${owner.agentId}/suspend`, undefined],
    [`/api/account/agents/${owner.agentId}/resume`, undefined],
    [`/api/account/agents/${owner.agentId}/revoke-access`, undefined],
    [`/api/account/agents/${owner.agentId}/narrow-scopes`, undefined],
    [`/api/account/agents/${owner.agentId}/policy`, { document: {}, expected_version: 1 }],
    [`/api/account/agents/${owner.agentId}/policy/check`, { document: {} }],
    [`/api/account/agents/${owner.agentId}/policy/rollback`, { version: 1, expected_version: 1 }],
    [`/api/account/approvals/${approvalId}/approve`, undefined],
    [`/api/account/approvals/${approvalId}/approve`, { code: '123456' }],
    [`/api/account/approvals/${approvalId}/passkey-options`, undefined],
    [`/api/account/approvals/${approvalId}/deny`, undefined],
  ];
  for (const [path, data] of posts) {
    const response = await intruder.post(path, { headers, ...(data === undefined ? {} : { data }) });
    expect(response.status(), path).toBe(404);
  }
  expect((await (await intruder.get('/api/account/tokens')).json()).tokens).toEqual([]);
  expect((await (await intruder.get('/api/account/agents')).json()).agents).toEqual([]);
  expect(await (await intruder.get('/api/account/approvals')).json()).toEqual({ approvals: [], history: [] });
  expect((await (await intruder.get(`/api/account/audit?agent=${owner.agentId}`)).json()).events).toEqual([]);
  const exported = await intruder.get(`/api/account/audit/export?format=jsonl&agent=${owner.agentId}`);
  expect(await exported.text()).toBe('');

  // Nothing of the owner's changed.
  expect((await request.get('/api/v1/datasets', { headers: owner.auth })).status()).toBe(200);
  const state = await testDb().query(
    `SELECT (SELECT status FROM grants WHERE user_id = $1 AND agent_id = $2 LIMIT 1) AS grant,
            (SELECT max(version) FROM policies WHERE user_id = $1 AND agent_id = $2) AS version,
            (SELECT status FROM approval_requests WHERE id = $3) AS approval`,
    [owner.userId, owner.agentId, approvalId],
  );
  expect(state.rows[0]).toEqual({ grant: 'ACTIVE', version: 1, approval: 'PENDING' });
  await intruder.dispose();
});
