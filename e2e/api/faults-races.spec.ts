// Races on single-use credentials (RFC 6749 §4.1.2, RFC 9700 §4.5 and §4.14.2): one code or one
// refresh token redeemed twice at the same moment. Exactly one request wins, and because the
// credential was used twice, whatever the winner received is revoked with the rest.
// @see 4fa9bd4 (Faults): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { createAccount, signInOverHttp, uniqueEmail, uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken } from '../support/delegation';
import { AGENT_CALLBACK, authorizeOverHttp, exchangeCode, pkce, registerPublicAgent, type RegisteredClient } from '../support/oauth';

const password = 'a-long-enough-passphrase';

test.describe('one authorization code redeemed twice at once', () => {
  test('exactly one 200, the other invalid_grant, and then every token of the code is revoked (RFC 6749 §4.1.2, RFC 9700 §4.5)', async ({ request, baseURL }) => {
    const user = await createAccount(request, baseURL, { email: uniqueEmail('code-race'), password });
    expect((await signInOverHttp(request, baseURL, user, uniqueIp())).error).toBeNull();
    const client: RegisteredClient = await registerPublicAgent(request);
    const { verifier, challenge } = pkce();
    const back = await authorizeOverHttp(request, baseURL!, {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: AGENT_CALLBACK,
      scope: 'datasets:read offline_access',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const code = back.searchParams.get('code')!;

    const answers = await Promise.all([exchangeCode(request, client, code, verifier), exchangeCode(request, client, code, verifier)]);
    expect(answers.map((a) => a.status()).sort()).toEqual([200, 400]);
    const loser = answers.find((a) => a.status() === 400)!;
    expect(await loser.json()).toEqual({ error: 'invalid_grant', error_description: 'The authorization code is invalid, expired or already used.' });
    const winner = await answers.find((a) => a.status() === 200)!.json();
    expect(winner.refresh_token).toBeTruthy();

    // The code was used twice, so whoever holds its tokens may be an attacker: none of them survives.
    const { rows } = await testDb().query('SELECT kind, revoked_reason FROM tokens WHERE user_id = (SELECT id FROM users WHERE email = $1) ORDER BY kind', [user.email]);
    expect(rows).toEqual([
      { kind: 'ACCESS', revoked_reason: 'authorization code replayed' },
      { kind: 'REFRESH', revoked_reason: 'authorization code replayed' },
    ]);
    const api = await request.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${winner.access_token}` } });
    expect(api.status()).toBe(401);
    expect(api.headers()['www-authenticate']).toContain('error="invalid_token"');
    const refreshed = await request.post('/oauth/token', { form: { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: winner.refresh_token } });
    expect(refreshed.status()).toBe(400);
    expect((await refreshed.json()).error).toBe('invalid_grant');
    const replay = await testDb().query("SELECT decision FROM audit_events WHERE action = 'code.replay' AND user_id = (SELECT id FROM users WHERE email = $1)", [user.email]);
    expect(replay.rows).toEqual([{ decision: 'DENY' }]);
  });
});

test.describe('one refresh token redeemed twice at once', () => {
  // oauth-authorization-code.spec.ts already shows that exactly one of the two succeeds; this is
  // what happens next: the loser presented a used refresh token, which RFC 9700 §4.14.2 treats as
  // theft, so the family is revoked, including what the winner was just given.
  test('the winner’s new refresh and access tokens are revoked with the family, and reuse raises an alert', async ({ request, baseURL }) => {
    const delegation = await delegatedToken(request, baseURL!, 'datasets:read offline_access');
    const refresh = () => request.post('/oauth/token', { form: { grant_type: 'refresh_token', client_id: delegation.clientId, refresh_token: delegation.refreshToken! } });
    const answers = await Promise.all([refresh(), refresh()]);
    expect(answers.map((a) => a.status()).sort()).toEqual([200, 400]);
    expect(await answers.find((a) => a.status() === 400)!.json()).toEqual({ error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or revoked.' });
    const winner = await answers.find((a) => a.status() === 200)!.json();

    const { rows } = await testDb().query('SELECT kind, revoked_reason FROM tokens WHERE user_id = $1 AND revoked_at IS NULL', [delegation.userId]);
    expect(rows).toEqual([]);
    expect((await request.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${winner.access_token}` } })).status()).toBe(401);
    const next = await request.post('/oauth/token', { form: { grant_type: 'refresh_token', client_id: delegation.clientId, refresh_token: winner.refresh_token } });
    expect((await next.json()).error).toBe('invalid_grant');
    const alerts = await testDb().query('SELECT kind FROM alerts WHERE user_id = $1', [delegation.userId]);
    expect(alerts.rows).toContainEqual({ kind: 'refresh_token_reuse' });
  });
});
