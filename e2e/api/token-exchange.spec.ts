// Token exchange (RFC 8693) between agents: with the user's may_act rule, an agent exchanges the
// token a user delegated to another agent (oauth4webapi's generic grant), gets a token that acts
// for the same user with `act` naming it (nested for chains), never broader than the subject
// token; every refusal is the RFC's error; a kill switch on the subject agent ends the chain.
// @see a15b790 (Token exchange (RFC 8693)): the commit whose behaviour these tests guard.
import * as oauth from 'oauth4webapi';
import { expect, test } from '@playwright/test';
import { testDb } from '../support/db';
import { delegatedToken, setPolicy } from '../support/delegation';
import { basic } from '../support/oauth';
import { sameOrigin } from '../support/accounts';
import { ACCESS, actorAgent, exchange, TOKEN_EXCHANGE } from '../support/token-exchange';

const insecure = { [oauth.allowInsecureRequests]: true };

test('oauth4webapi: with the user’s may_act rule an agent acts for the user, and act shows the chain', async ({ request, baseURL }) => {
  const subject = await delegatedToken(request, baseURL!, 'datasets:read reports:read');
  const actor = await actorAgent(request, 'Summariser sub-agent');
  const refused = await exchange(request, actor, { subject_token: subject.token });
  expect(refused.status()).toBe(400);
  expect((await refused.json()).error).toBe('invalid_grant');

  await setPolicy(subject, { mayAct: [actor.client.client_id] });
  const issuer = new URL(baseURL!);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }));
  const response = await oauth.genericTokenEndpointRequest(
    as,
    { client_id: actor.client.client_id },
    oauth.ClientSecretBasic(actor.client.client_secret!),
    TOKEN_EXCHANGE,
    { subject_token: subject.token, subject_token_type: ACCESS, actor_token: actor.token, actor_token_type: ACCESS, scope: 'reports:read' },
    insecure,
  );
  const result = await oauth.processGenericTokenEndpointResponse(as, { client_id: actor.client.client_id }, response);
  expect(result).toMatchObject({ token_type: 'bearer', scope: 'reports:read', issued_token_type: ACCESS });
  expect(result.refresh_token).toBeUndefined();

  const introspection = await request.post('/oauth/introspect', { headers: { Authorization: basic(actor.client.client_id, actor.client.client_secret!) }, form: { token: result.access_token } });
  expect(await introspection.json()).toMatchObject({ active: true, sub: subject.userId, client_id: actor.client.client_id, act: { sub: actor.client.client_id }, scope: 'reports:read' });
  const call = await request.get('/api/v1/reports', { headers: { Authorization: `Bearer ${result.access_token}` } });
  expect(call.status()).toBe(200);
  const { rows } = await testDb().query('SELECT actor, user_id FROM audit_events WHERE request_id = $1', [call.headers()['x-request-id']]);
  expect(rows[0]).toEqual({ actor: { sub: actor.client.client_id }, user_id: subject.userId });

  // A second hop: the sub-agent hands on to a third agent, allowed by the user's policy for it.
  const third = await actorAgent(request, 'Formatter sub-sub-agent');
  await setPolicy({ userId: subject.userId, agentId: (await testDb().query('SELECT id FROM agents WHERE client_id = $1', [actor.client.client_id])).rows[0].id }, { mayAct: [third.client.client_id] });
  const hop = await exchange(request, third, { subject_token: result.access_token });
  expect(hop.status(), await hop.text()).toBe(200);
  const nested = await request.post('/oauth/introspect', { headers: { Authorization: basic(third.client.client_id, third.client.client_secret!) }, form: { token: (await hop.json()).access_token } });
  expect((await nested.json()).act).toEqual({ sub: third.client.client_id, act: { sub: actor.client.client_id } });
});

test('never broader than the subject token, no impersonation, and the actor token must be the caller’s', async ({ request, baseURL }) => {
  const subject = await delegatedToken(request, baseURL!, 'reports:read');
  const actor = await actorAgent(request, 'Greedy sub-agent');
  await setPolicy(subject, { mayAct: [actor.client.client_id] });
  const error = async (response: Awaited<ReturnType<typeof exchange>>) => {
    expect(response.status()).toBe(400);
    return (await response.json()).error;
  };
  expect(await error(await exchange(request, actor, { subject_token: subject.token, scope: 'reports:read reports:write' }))).toBe('invalid_scope');
  expect(await error(await exchange(request, actor, { subject_token: subject.token, resource: `${baseURL}/mcp` }))).toBe('invalid_target');
  expect(await error(await exchange(request, actor, { subject_token: subject.token, actor_token: '' }))).toBe('invalid_request');
  expect(await error(await exchange(request, actor, { subject_token: subject.token, requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }))).toBe('invalid_request');
  expect(await error(await exchange(request, actor, { subject_token: 'lsh_at_not-a-token' }))).toBe('invalid_grant');
  const someoneElse = await actorAgent(request, 'Other agent');
  expect(await error(await exchange(request, { client: actor.client, token: someoneElse.token }, { subject_token: subject.token }))).toBe('invalid_grant');
  const { rows } = await testDb().query('SELECT count(*)::int AS n FROM tokens WHERE actor IS NOT NULL AND user_id = $1', [subject.userId]);
  expect(rows[0].n).toBe(0);
});

test('the kill switch on the subject agent ends every token exchanged from it', async ({ request, baseURL }) => {
  const subject = await delegatedToken(request, baseURL!, 'datasets:read');
  const actor = await actorAgent(request, 'Chained sub-agent');
  await setPolicy(subject, { mayAct: [actor.client.client_id] });
  const exchanged = (await (await exchange(request, actor, { subject_token: subject.token })).json()).access_token as string;
  expect((await request.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${exchanged}` } })).status()).toBe(200);
  // The user pulls the plug on the agent they delegated to (same session as the delegation).
  const killed = await request.post(`/api/account/agents/${subject.agentId}/suspend`, { headers: sameOrigin(baseURL) });
  expect(killed.status()).toBe(200);
  expect((await request.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${exchanged}` } })).status()).toBe(401);
});
