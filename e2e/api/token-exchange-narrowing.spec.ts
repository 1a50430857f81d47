// Token exchange without an actor (RFC 8693): an agent narrows its own access token for a tool.
// The new token is the same agent for the same user (no `act`), never broader than its parent
// (scope, audience, lifetime, authorization details, DPoP binding), gets no refresh token, and
// dies with its parent whatever revokes it; asking for more is the RFC's error, issues nothing and
// leaves the parent usable; every decision is audited as token.exchange.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { sameOrigin } from '../support/accounts';
import { changeSeen, testDb } from '../support/db';
import { delegatedToken, setPolicy } from '../support/delegation';
import { ath, newKey, nonce, proof, thumbprint } from '../support/dpop';
import { basic, expectNoStore, registerMachineClient } from '../support/oauth';
import { ACCESS, actorAgent, exchange, introspect, narrow, narrowingAgent, TOKEN_EXCHANGE } from '../support/token-exchange';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const sorted = (list: string[]) => [...list].sort();

async function tokenRow(token: string) {
  const { rows } = await testDb().query(
    "SELECT id, kind, agent_id, user_id, grant_id, scopes, audience, actor, jit, dpop_jkt, parent_token_id, expires_at, revoked_at, revoked_reason FROM tokens WHERE token_hash = encode(sha256($1::bytea), 'hex')",
    [token],
  );
  return rows[0];
}

async function childCount(parentId: string): Promise<number> {
  const { rows } = await testDb().query('SELECT count(*)::int AS n FROM tokens WHERE parent_token_id = $1', [parentId]);
  return rows[0].n;
}

async function tokenCount(agentId: string): Promise<number> {
  const { rows } = await testDb().query('SELECT count(*)::int AS n FROM tokens WHERE agent_id = $1', [agentId]);
  return rows[0].n;
}

async function exchangeAudit(agentId: string) {
  const { rows } = await testDb().query("SELECT decision, user_id, token_id, scopes, resource, reason, details FROM audit_events WHERE action = 'token.exchange' AND agent_id = $1 ORDER BY id", [
    agentId,
  ]);
  return rows;
}

async function expectError(response: Awaited<ReturnType<APIRequestContext['post']>>, error: string, description: string) {
  expect(response.status(), await response.text()).toBe(400);
  expect(await response.json()).toEqual({ error, error_description: description });
}

test('an agent narrows its own token: fewer scopes, one resource, no longer than its parent, same agent and user, no act, no refresh token', async ({ request, baseURL }) => {
  const agent = await narrowingAgent(request, baseURL!, 'datasets:read reports:write', { resource: [`${baseURL}/api`, `${baseURL}/mcp`] });
  const parent = await tokenRow(agent.token);
  // Two minutes left on the parent: less than the policy's ten-minute access token lifetime.
  await changeSeen("UPDATE tokens SET expires_at = now() + interval '120 seconds' WHERE id = $1 RETURNING id AS cache_key", [parent.id]);
  const parentBefore = await introspect(request, agent, agent.token);

  // reports:read is held through reports:write (the scope hierarchy the API applies).
  const response = await narrow(request, agent, { subject_token: agent.token, scope: 'datasets:read reports:read', resource: `${baseURL}/api` });
  expect(response.status(), await response.text()).toBe(200);
  expectNoStore(response.headers());
  const body = await response.json();
  expect(body).toEqual({ access_token: expect.stringMatching(/^lsh_at_/), issued_token_type: ACCESS, token_type: 'Bearer', expires_in: expect.any(Number), scope: 'datasets:read reports:read' });
  expect(body.expires_in).toBeGreaterThan(100);
  expect(body.expires_in).toBeLessThanOrEqual(120);

  const child = await introspect(request, agent, body.access_token);
  expect(child).toMatchObject({ active: true, client_id: agent.clientId, sub: agent.userId, scope: 'datasets:read reports:read', aud: `${baseURL}/api`, token_type: 'Bearer' });
  expect(child.act).toBeUndefined();
  expect(child.exp).toBeLessThanOrEqual(parentBefore.exp);
  expect({ acr: child.acr, amr: child.amr, auth_time: child.auth_time }).toEqual({ acr: parentBefore.acr, amr: parentBefore.amr, auth_time: parentBefore.auth_time });
  // The parent is unchanged.
  expect(await introspect(request, agent, agent.token)).toEqual(parentBefore);

  const row = await tokenRow(body.access_token);
  expect(row).toMatchObject({
    kind: 'ACCESS',
    agent_id: agent.agentId,
    user_id: agent.userId,
    grant_id: parent.grant_id,
    actor: null,
    jit: false,
    dpop_jkt: null,
    parent_token_id: parent.id,
    audience: [`${baseURL}/api`],
  });
  expect(sorted(row.scopes)).toEqual(['datasets:read', 'reports:read']);
  expect(row.expires_at.getTime()).toBeLessThanOrEqual((await tokenRow(agent.token)).expires_at.getTime());
  const { rows: refresh } = await testDb().query("SELECT count(*)::int AS n FROM tokens WHERE agent_id = $1 AND kind = 'REFRESH'", [agent.agentId]);
  expect(refresh[0].n).toBe(0);

  // What it kept works; what it gave up is refused, though the parent may still do it.
  expect((await request.get('/api/v1/datasets', { headers: bearer(body.access_token) })).status()).toBe(200);
  expect((await request.get('/api/v1/reports', { headers: bearer(body.access_token) })).status()).toBe(200);
  const report = { title: 'Narrowing check', dataset_id: 'ds_sales_2026', body: 'Kept to the parent.' };
  const refused = await request.post('/api/v1/reports', { headers: bearer(body.access_token), data: report });
  expect(refused.status()).toBe(403);
  expect(refused.headers()['www-authenticate']).toContain('error="insufficient_scope"');
  expect(await refused.json()).toEqual({ error: 'insufficient_scope', error_description: 'This operation needs: reports:write.', scope: 'reports:write' });
  expect((await request.post('/api/v1/reports', { headers: bearer(agent.token), data: report })).status()).toBe(201);
  const mcp = await request.post('/mcp', {
    headers: { ...bearer(body.access_token), 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    data: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
  });
  expect(mcp.status()).toBe(401);
  expect((await mcp.json()).error_description).toBe('The access token is not for this resource.');

  // The user's policy caps the lifetime too.
  await setPolicy(agent, { tokens: { accessTokenSeconds: 60, refreshAllowed: true, refreshDays: 30, dpopRequired: false } });
  const capped = await narrow(request, agent, { subject_token: agent.token, scope: 'datasets:read' });
  expect(capped.status()).toBe(200);
  expect((await capped.json()).expires_in).toBe(60);

  const audit = await exchangeAudit(agent.agentId);
  expect(audit).toHaveLength(2);
  expect(audit[0]).toMatchObject({ decision: 'ALLOW', user_id: agent.userId, token_id: row.id, resource: `${baseURL}/api`, reason: 'narrowed its own token (RFC 8693, no actor)' });
  expect(audit[0].details).toEqual({
    parent_token_id: parent.id,
    from_scopes: parent.scopes,
    to_scopes: row.scopes,
    from_audience: parent.audience,
    to_audience: [`${baseURL}/api`],
    expires_in: body.expires_in,
  });
  expect(audit[1]).toMatchObject({ decision: 'ALLOW', details: { parent_token_id: parent.id, to_scopes: ['datasets:read'], expires_in: 60 } });
});

test('asking for more than the subject token holds is refused with the RFC error, audited, issues nothing, and the subject stays usable', async ({ request, baseURL }) => {
  const agent = await narrowingAgent(request, baseURL!, 'datasets:read reports:read');
  const parent = await tokenRow(agent.token);
  const payment = JSON.stringify([{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '10.00' }, creditorName: 'ACME Ltd' }]);

  await expectError(await narrow(request, agent, { subject_token: agent.token, scope: 'datasets:read reports:write' }), 'invalid_scope', 'The subject token does not cover: reports:write');
  await expectError(await narrow(request, agent, { subject_token: agent.token, resource: `${baseURL}/mcp` }), 'invalid_target', 'The subject token is not valid for that resource.');
  await expectError(await narrow(request, agent, { subject_token: agent.token, audience: `${baseURL}/mcp` }), 'invalid_target', 'The subject token is not valid for that resource.');
  await expectError(
    await narrow(request, agent, { subject_token: agent.token, authorization_details: payment }),
    'invalid_authorization_details',
    'The subject token does not carry these authorization details: a narrowed token may only keep some of them, unchanged.',
  );
  await expectError(
    await narrow(request, agent, { subject_token: agent.token, requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }),
    'invalid_request',
    `Only ${ACCESS} can be issued.`,
  );
  await expectError(
    await narrow(request, agent, { subject_token: agent.token, actor_token_type: ACCESS }),
    'invalid_request',
    'actor_token_type must not be sent without actor_token (RFC 8693 section 2.1).',
  );

  expect(await childCount(parent.id)).toBe(0);
  expect(await tokenCount(agent.agentId)).toBe(1);
  expect((await tokenRow(agent.token)).revoked_at).toBeNull();
  expect((await request.get('/api/v1/datasets', { headers: bearer(agent.token) })).status()).toBe(200);
  expect(await introspect(request, agent, agent.token)).toMatchObject({ active: true, scope: 'datasets:read reports:read' });
  // The narrowing's own refusals are audited (the malformed requests never reach it).
  const audit = await exchangeAudit(agent.agentId);
  expect(audit.map((r) => [r.decision, r.details.error, r.token_id])).toEqual([
    ['DENY', 'invalid_scope', parent.id],
    ['DENY', 'invalid_target', parent.id],
    ['DENY', 'invalid_target', parent.id],
    ['DENY', 'invalid_authorization_details', parent.id],
  ]);
  expect(audit[0]).toMatchObject({ user_id: agent.userId, scopes: ['datasets:read', 'reports:write'], reason: 'narrowing refused: scope not held: reports:write' });
});

test('another agent’s token without an actor_token is impersonation (invalid_request); an unknown token is invalid_grant; a client-credentials token narrows too', async ({ request, baseURL }) => {
  const owner = await narrowingAgent(request, baseURL!, 'datasets:read');
  const registered = await registerMachineClient(request, {
    grant_types: ['client_credentials', TOKEN_EXCHANGE],
    token_endpoint_auth_method: 'client_secret_post',
    scope: 'datasets:read reports:read',
  });
  const other = { clientId: registered.client_id, clientSecret: registered.client_secret };
  const otherId = (await testDb().query('SELECT id FROM agents WHERE client_id = $1', [other.clientId])).rows[0].id as string;

  // RFC 8693 §2.2.2: a subject_token unacceptable by policy is invalid_request (as before narrowing existed).
  await expectError(
    await narrow(request, other, { subject_token: owner.token, scope: 'datasets:read' }),
    'invalid_request',
    'actor_token is required: impersonation is not allowed on this server; delegation names its actor.',
  );
  await expectError(await narrow(request, other, { subject_token: 'lsh_at_not-a-token' }), 'invalid_grant', 'The subject_token is not an active access token.');
  const ownerToken = await tokenRow(owner.token);
  expect(await childCount(ownerToken.id)).toBe(0);
  expect(await tokenCount(otherId)).toBe(0);
  expect(await tokenCount(owner.agentId)).toBe(1);
  const denied = await exchangeAudit(otherId);
  expect(denied.map((r) => [r.decision, r.details.error, r.user_id, r.token_id])).toEqual([
    ['DENY', 'invalid_request', owner.userId, ownerToken.id],
    ['DENY', 'invalid_grant', null, null],
  ]);

  // Its own client-credentials token (no user behind it) it may narrow.
  const issued = await request.post('/oauth/token', { form: { grant_type: 'client_credentials', client_id: other.clientId, client_secret: other.clientSecret!, scope: 'datasets:read reports:read' } });
  const own = (await issued.json()).access_token as string;
  const narrowed = await narrow(request, other, { subject_token: own, scope: 'datasets:read' });
  expect(narrowed.status(), await narrowed.text()).toBe(200);
  const child = await introspect(request, other, (await narrowed.json()).access_token);
  expect(child).toMatchObject({ active: true, client_id: other.clientId, sub: other.clientId, scope: 'datasets:read' });
  expect(child.act).toBeUndefined();
  expect((await tokenRow((await narrowed.json()).access_token)).parent_token_id).toBe((await tokenRow(own)).id);
});

test('a just-in-time token cannot be narrowed: it stands for one approved action', async ({ request, baseURL }) => {
  const agent = await narrowingAgent(request, baseURL!, 'datasets:read');
  // Arranged in the database (the CIBA approval that issues such tokens needs the user's second
  // factor, see e2e/browser/jit-elevation.spec.ts); the token was never looked up, so never cached.
  const { rows } = await testDb().query("UPDATE tokens SET jit = true WHERE token_hash = encode(sha256($1::bytea), 'hex') RETURNING id", [agent.token]);
  await expectError(
    await narrow(request, agent, { subject_token: agent.token, scope: 'datasets:read' }),
    'invalid_request',
    'A just-in-time token is for one approved action and cannot be exchanged.',
  );
  expect(await childCount(rows[0].id)).toBe(0);
  expect(await tokenCount(agent.agentId)).toBe(1);
  expect((await exchangeAudit(agent.agentId)).map((r) => [r.decision, r.reason])).toEqual([['DENY', 'narrowing refused: the subject token is a just-in-time token']]);
});

test('DPoP: a bound subject needs a proof with its key and its child stays bound to that key; a bearer subject may be bound to a new key or stay bearer', async ({ request, baseURL }) => {
  const registered = await registerMachineClient(request, {
    grant_types: ['client_credentials', TOKEN_EXCHANGE],
    token_endpoint_auth_method: 'client_secret_post',
    scope: 'datasets:read reports:read',
  });
  const agent = { clientId: registered.client_id, clientSecret: registered.client_secret };
  const tokenUrl = `${baseURL}/oauth/token`;
  const key = await newKey();
  const n = await nonce(request, baseURL!, key);
  const withProof = async (k: CryptoKeyPair) => ({ DPoP: await proof(k, 'POST', tokenUrl, { nonce: n }) });
  const credentials = { client_id: agent.clientId, client_secret: agent.clientSecret! };

  const issued = await request.post('/oauth/token', { headers: await withProof(key), form: { grant_type: 'client_credentials', ...credentials, scope: 'datasets:read reports:read' } });
  expect((await issued.json()).token_type).toBe('DPoP');
  const bound = (await issued.json()).access_token as string;
  const boundRow = await tokenRow(bound);
  const boundError = 'The subject token is bound to a DPoP key: send a proof made with that key.';
  await expectError(await narrow(request, agent, { subject_token: bound, scope: 'datasets:read' }), 'invalid_dpop_proof', boundError);
  await expectError(await narrow(request, agent, { subject_token: bound, scope: 'datasets:read' }, await withProof(await newKey())), 'invalid_dpop_proof', boundError);
  expect(await childCount(boundRow.id)).toBe(0);

  const narrowed = await narrow(request, agent, { subject_token: bound, scope: 'datasets:read' }, await withProof(key));
  expect(narrowed.status(), await narrowed.text()).toBe(200);
  const child = await narrowed.json();
  expect(child).toMatchObject({ token_type: 'DPoP', scope: 'datasets:read', issued_token_type: ACCESS });
  expect(await introspect(request, agent, child.access_token)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: await thumbprint(key) } });
  expect(await childCount(boundRow.id)).toBe(1);
  const api = `${baseURL}/api/v1/datasets`;
  expect((await request.get('/api/v1/datasets', { headers: bearer(child.access_token) })).status()).toBe(401);
  const call = await request.get('/api/v1/datasets', { headers: { Authorization: `DPoP ${child.access_token}`, DPoP: await proof(key, 'GET', api, { nonce: n, ath: ath(child.access_token) }) } });
  expect(call.status()).toBe(200);

  // A bearer subject: bound to the key of the proof sent (binding only restricts), or left bearer.
  const plain = (await (await request.post('/oauth/token', { form: { grant_type: 'client_credentials', ...credentials, scope: 'datasets:read' } })).json()).access_token as string;
  const second = await newKey();
  const upgraded = await narrow(request, agent, { subject_token: plain }, await withProof(second));
  expect(upgraded.status(), await upgraded.text()).toBe(200);
  expect((await upgraded.json()).token_type).toBe('DPoP');
  expect(await introspect(request, agent, (await upgraded.json()).access_token)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: await thumbprint(second) } });
  const parentView = await introspect(request, agent, plain);
  expect(parentView.cnf).toBeUndefined();
  const stays = await narrow(request, agent, { subject_token: plain });
  expect(stays.status()).toBe(200);
  expect((await stays.json()).token_type).toBe('Bearer');
  expect((await introspect(request, agent, (await stays.json()).access_token)).cnf).toBeUndefined();
});

test('revoking the parent (RFC 7009) revokes its children and theirs at once; revoking a child leaves the parent alive', async ({ request, baseURL }) => {
  const agent = await narrowingAgent(request, baseURL!, 'datasets:read reports:read');
  const narrowed = async (subject: string, scope: string) => {
    const response = await narrow(request, agent, { subject_token: subject, scope });
    expect(response.status(), await response.text()).toBe(200);
    return (await response.json()).access_token as string;
  };
  const child = await narrowed(agent.token, 'datasets:read');
  const grandchild = await narrowed(child, 'datasets:read');
  const sibling = await narrowed(agent.token, 'reports:read');
  expect((await tokenRow(grandchild)).parent_token_id).toBe((await tokenRow(child)).id);
  // Each is used first, so each is in the server's token cache when the revocations come.
  for (const [token, path] of [
    [agent.token, '/api/v1/datasets'],
    [child, '/api/v1/datasets'],
    [grandchild, '/api/v1/datasets'],
    [sibling, '/api/v1/reports'],
  ]) {
    expect((await request.get(path!, { headers: bearer(token!) })).status()).toBe(200);
  }
  const revoke = (token: string) => request.post('/oauth/revoke', { form: { client_id: agent.clientId, client_secret: agent.clientSecret!, token } });
  const refusal = async (token: string, path = '/api/v1/datasets') => {
    const response = await request.get(path, { headers: bearer(token) });
    return [response.status(), (await response.json()).error_description];
  };

  expect((await revoke(sibling)).status()).toBe(200);
  expect(await refusal(sibling, '/api/v1/reports')).toEqual([401, 'The access token was revoked.']);
  expect((await request.get('/api/v1/datasets', { headers: bearer(agent.token) })).status()).toBe(200);
  expect((await request.get('/api/v1/datasets', { headers: bearer(child) })).status()).toBe(200);
  expect(await introspect(request, agent, agent.token)).toMatchObject({ active: true });

  expect((await revoke(agent.token)).status()).toBe(200);
  expect(await refusal(child)).toEqual([401, 'The access token was revoked.']);
  expect(await refusal(grandchild)).toEqual([401, 'The access token was revoked.']);
  expect(await introspect(request, agent, child)).toEqual({ active: false });
  expect(await introspect(request, agent, grandchild)).toEqual({ active: false });
  const parent = await tokenRow(agent.token);
  for (const token of [child, grandchild]) {
    const row = await tokenRow(token);
    expect(row.revoked_at).toEqual(parent.revoked_at); // same transaction, same instant
    expect(row.revoked_reason).toBe('parent token revoked: revoked by the client (RFC 7009)');
  }
  // A revoked parent cannot be narrowed again.
  await expectError(await narrow(request, agent, { subject_token: agent.token, scope: 'datasets:read' }), 'invalid_grant', 'The subject_token is not an active access token.');
});

test('the dashboard’s revoke and the kill switch take the narrowed tokens along', async ({ request, baseURL }) => {
  const first = await narrowingAgent(request, baseURL!, 'datasets:read');
  const child = (await (await narrow(request, first, { subject_token: first.token })).json()).access_token as string;
  expect((await request.get('/api/v1/datasets', { headers: bearer(child) })).status()).toBe(200);
  const parentId = (await tokenRow(first.token)).id as string;
  const revoked = await request.post(`/api/account/tokens/${parentId}/revoke`, { headers: sameOrigin(baseURL) });
  expect(revoked.status()).toBe(200);
  expect((await request.get('/api/v1/datasets', { headers: bearer(child) })).status()).toBe(401);
  expect((await tokenRow(child)).revoked_reason).toBe('parent token revoked: revoked by the user');

  // A second user (this request context now signs in as them) pulls the kill switch.
  const second = await narrowingAgent(request, baseURL!, 'datasets:read');
  const child2 = (await (await narrow(request, second, { subject_token: second.token })).json()).access_token as string;
  expect((await request.get('/api/v1/datasets', { headers: bearer(child2) })).status()).toBe(200);
  expect((await request.post(`/api/account/agents/${second.agentId}/suspend`, { headers: sameOrigin(baseURL) })).status()).toBe(200);
  expect((await request.get('/api/v1/datasets', { headers: bearer(child2) })).status()).toBe(401);
  expect((await tokenRow(child2)).revoked_at).not.toBeNull();
});

test('refresh token reuse revokes the family and every token narrowed from it', async ({ request, baseURL }) => {
  const agent = await narrowingAgent(request, baseURL!, 'datasets:read offline_access');
  expect(agent.refreshToken).toBeTruthy();
  const child = (await (await narrow(request, agent, { subject_token: agent.token, scope: 'datasets:read' })).json()).access_token as string;
  const refresh = () => request.post('/oauth/token', { form: { grant_type: 'refresh_token', client_id: agent.clientId, client_secret: agent.clientSecret!, refresh_token: agent.refreshToken! } });
  expect((await refresh()).status()).toBe(200);
  expect((await request.get('/api/v1/datasets', { headers: bearer(child) })).status()).toBe(200); // rotation alone revokes nothing
  const reuse = await refresh();
  expect(reuse.status()).toBe(400);
  expect((await reuse.json()).error).toBe('invalid_grant');
  expect((await request.get('/api/v1/datasets', { headers: bearer(child) })).status()).toBe(401);
  expect(await introspect(request, agent, child)).toEqual({ active: false });
});

test('authorization_details are kept, or some of them unchanged, never altered', async ({ request, baseURL }) => {
  const detail = { type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '42.00' }, creditorName: 'ACME Ltd' };
  const agent = await narrowingAgent(request, baseURL!, 'datasets:read payments:write', { authorization_details: JSON.stringify([detail]) });
  const kept = await narrow(request, agent, { subject_token: agent.token, scope: 'datasets:read' });
  expect(kept.status(), await kept.text()).toBe(200);
  expect((await kept.json()).authorization_details).toEqual([detail]);
  expect((await introspect(request, agent, (await kept.json()).access_token)).authorization_details).toEqual([detail]);

  const altered = [{ ...detail, instructedAmount: { currency: 'EUR', amount: '41.00' } }];
  await expectError(
    await narrow(request, agent, { subject_token: agent.token, authorization_details: JSON.stringify(altered) }),
    'invalid_authorization_details',
    'The subject token does not carry these authorization details: a narrowed token may only keep some of them, unchanged.',
  );
  const same = await narrow(request, agent, { subject_token: agent.token, scope: 'payments:write', authorization_details: JSON.stringify([detail]) });
  expect(same.status(), await same.text()).toBe(200);
  expect(await same.json()).toMatchObject({ scope: 'payments:write', authorization_details: [detail] });
});

test('an agent narrowing a token it got by delegation keeps the act chain as it is', async ({ request, baseURL }) => {
  const subject = await delegatedToken(request, baseURL!, 'datasets:read reports:read');
  const actor = await actorAgent(request, 'Narrowing sub-agent');
  await setPolicy(subject, { mayAct: [actor.client.client_id] });
  const delegated = (await (await exchange(request, actor, { subject_token: subject.token })).json()).access_token as string;
  const auth = { Authorization: basic(actor.client.client_id, actor.client.client_secret!) };
  const response = await request.post('/oauth/token', { headers: auth, form: { grant_type: TOKEN_EXCHANGE, subject_token: delegated, subject_token_type: ACCESS, scope: 'datasets:read' } });
  expect(response.status(), await response.text()).toBe(200);
  const token = (await response.json()).access_token as string;
  const introspection = await (await request.post('/oauth/introspect', { headers: auth, form: { token } })).json();
  expect(introspection).toMatchObject({ active: true, client_id: actor.client.client_id, sub: subject.userId, scope: 'datasets:read', act: { sub: actor.client.client_id } });
  expect(introspection.act).toEqual({ sub: actor.client.client_id });
  expect((await tokenRow(token)).parent_token_id).toBe((await tokenRow(delegated)).id);
});
