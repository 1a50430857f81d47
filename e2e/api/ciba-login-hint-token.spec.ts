// OpenID CIBA §7.1 login_hint_token at /oauth/bc-authorize: the agent's own active access token for
// a user names that user. Each refusal is the CIBA error for it and creates no approval request.
// @see 9dcde86 (CIBA login_hint_token): the commit whose behaviour these tests guard.
import crypto from 'node:crypto';
import * as jose from 'jose';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { testDb } from '../support/db';
import { delegatedToken } from '../support/delegation';

const CIBA = 'urn:openid:params:grant-type:ciba';
const registration = { grant_types: ['authorization_code', 'refresh_token', CIBA] };

function ask(request: APIRequestContext, form: Record<string, string>, headers: Record<string, string> = {}) {
  // payments:write is elevated only for one exact payment (lib/approvals/check-elevation.ts).
  const details = JSON.stringify([{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '70.00' }, creditorName: 'Invoice 7 Ltd' }]);
  return request.post('/oauth/bc-authorize', { form: { scope: 'payments:write', authorization_details: details, binding_message: 'Pay invoice 7', ...form }, headers });
}

async function pendingFor(agentId: string): Promise<number> {
  const { rows } = await testDb().query('SELECT count(*)::int AS n FROM approval_requests WHERE agent_id = $1', [agentId]);
  return rows[0].n;
}

test("the agent's own active token names the user: 200 and a request for that user", async ({ request, baseURL }) => {
  const agent = await delegatedToken(request, baseURL!, 'datasets:read', {}, { registration });
  const response = await ask(request, { client_id: agent.clientId, login_hint_token: agent.token });
  expect(response.status(), await response.text()).toBe(200);
  expect(await response.json()).toEqual({ auth_req_id: expect.stringMatching(/^lsh_/), expires_in: 300, interval: 5 });
  const { rows } = await testDb().query('SELECT user_id, scopes FROM approval_requests WHERE agent_id = $1', [agent.agentId]);
  expect(rows).toEqual([{ user_id: agent.userId, scopes: ['payments:write'] }]);
});

test("refusals: another agent's token, a revoked token, a refresh token, garbage, both hints, id_token_hint; nothing is created", async ({ request, baseURL }) => {
  const agent = await delegatedToken(request, baseURL!, 'datasets:read offline_access', {}, { registration });
  const other = await delegatedToken(request, baseURL!, 'datasets:read', {}, { registration });
  const revoked = await delegatedToken(request, baseURL!, 'datasets:read', {}, { registration });
  expect((await request.post('/oauth/revoke', { form: { client_id: revoked.clientId, token: revoked.token } })).status()).toBe(200);
  const cases: [string, Record<string, string>, number, string][] = [
    ["another agent's token", { client_id: agent.clientId, login_hint_token: other.token }, 400, 'unknown_user_id'],
    ['a revoked token', { client_id: revoked.clientId, login_hint_token: revoked.token }, 400, 'unknown_user_id'],
    ['a refresh token', { client_id: agent.clientId, login_hint_token: agent.refreshToken! }, 400, 'unknown_user_id'],
    ['garbage', { client_id: agent.clientId, login_hint_token: 'lsh_at_nope' }, 400, 'unknown_user_id'],
    ['both hints', { client_id: agent.clientId, login_hint_token: agent.token, login_hint: agent.userId }, 400, 'invalid_request'],
    ['id_token_hint', { client_id: agent.clientId, id_token_hint: 'x.y.z' }, 400, 'invalid_request'],
    ['no hint at all', { client_id: agent.clientId }, 400, 'invalid_request'],
  ];
  for (const [name, form, status, error] of cases) {
    const response = await ask(request, form);
    expect(response.status(), name).toBe(status);
    expect((await response.json()).error, name).toBe(error);
  }
  for (const id of [agent.agentId, revoked.agentId]) expect(await pendingFor(id)).toBe(0);
});

test('a DPoP-bound token is a hint only with a proof made with its key (RFC 9449 §7)', async ({ request, baseURL }) => {
  const key = await jose.generateKeyPair('ES256');
  const proof = async (signer: { publicKey: CryptoKey; privateKey: CryptoKey }, htu: string, extra: Record<string, unknown> = {}) =>
    new jose.SignJWT({ htm: 'POST', htu, jti: crypto.randomUUID(), iat: Math.floor(Date.now() / 1000), ...extra })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await jose.exportJWK(signer.publicKey) })
      .sign(signer.privateKey);
  const tokenUrl = `${baseURL}/oauth/token`;
  const hintUrl = `${baseURL}/oauth/bc-authorize`;
  // A DPoP-bound access token: refresh with a proof (after the server's nonce, RFC 9449 §8).
  const agent = await delegatedToken(request, baseURL!, 'datasets:read offline_access', {}, { registration });
  const nonce = (await request.post('/oauth/token', { headers: { DPoP: await proof(key, tokenUrl) }, form: { grant_type: 'client_credentials' } })).headers()['dpop-nonce']!;
  const refreshed = await request.post('/oauth/token', {
    headers: { DPoP: await proof(key, tokenUrl, { nonce }) },
    form: { grant_type: 'refresh_token', client_id: agent.clientId, refresh_token: agent.refreshToken! },
  });
  expect(refreshed.status(), await refreshed.text()).toBe(200);
  const bound = await refreshed.json();
  expect(bound.token_type).toBe('DPoP');

  const without = await ask(request, { client_id: agent.clientId, login_hint_token: bound.access_token });
  expect(without.status()).toBe(400);
  expect((await without.json()).error).toBe('invalid_dpop_proof');
  const stolen = await ask(request, { client_id: agent.clientId, login_hint_token: bound.access_token }, { DPoP: await proof(await jose.generateKeyPair('ES256'), hintUrl, { nonce }) });
  expect(stolen.status()).toBe(400);
  expect((await stolen.json()).error).toBe('invalid_dpop_proof');
  expect(await pendingFor(agent.agentId)).toBe(0);
  const owner = await ask(request, { client_id: agent.clientId, login_hint_token: bound.access_token }, { DPoP: await proof(key, hintUrl, { nonce }) });
  expect(owner.status(), await owner.text()).toBe(200);
  expect(await pendingFor(agent.agentId)).toBe(1);
});
