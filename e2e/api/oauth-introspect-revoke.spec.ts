// @see 32cc44a (Authorization server, machine-to-machine core): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { changeSeen, testDb } from '../support/db';
import { basic, clientCredentialsToken, expectNoStore, registerMachineClient } from '../support/oauth';

test.describe('POST /oauth/introspect (RFC 7662)', () => {
  test('describes an active token to its own client', async ({ request, baseURL }) => {
    const client = await registerMachineClient(request);
    const token = await clientCredentialsToken(request, client, { scope: 'reports:read' });
    const response = await request.post('/oauth/introspect', {
      headers: { Authorization: basic(client.client_id, client.client_secret!) },
      form: { token },
    });
    expect(response.status()).toBe(200);
    expectNoStore(response.headers());
    const body = await response.json();
    expect(body).toEqual({
      active: true,
      iss: baseURL,
      jti: expect.any(String),
      token_type: 'Bearer',
      client_id: client.client_id,
      sub: client.client_id,
      client_type: 'ai-agent',
      scope: 'reports:read',
      aud: `${baseURL}/api`,
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(body.exp - body.iat).toBe(600);
  });

  test("says only active:false for another client's token, an unknown, forged or expired token", async ({ request }) => {
    const owner = await registerMachineClient(request);
    const other = await registerMachineClient(request);
    const token = await clientCredentialsToken(request, owner);
    const asOther = { Authorization: basic(other.client_id, other.client_secret!) };
    const asOwner = { Authorization: basic(owner.client_id, owner.client_secret!) };
    const forged = token.slice(0, -6) + 'AAAAAA';
    for (const [headers, value] of [
      [asOther, token],
      [asOwner, 'lsh_at_unknown'],
      [asOwner, forged],
    ] as const) {
      const response = await request.post('/oauth/introspect', { headers, form: { token: value } });
      expect(response.status()).toBe(200);
      expect(await response.json()).toEqual({ active: false });
    }
    await changeSeen("UPDATE tokens SET expires_at = now() - interval '1 second' WHERE agent_id = (SELECT id FROM agents WHERE client_id = $1) RETURNING id AS cache_key", [owner.client_id]);
    // Made behind the app's back (as by another instance): applied once the app hears of it.
    await expect.poll(async () => (await (await request.post('/oauth/introspect', { headers: asOwner, form: { token } })).json()).active).toBe(false);
    const expired = await request.post('/oauth/introspect', { headers: asOwner, form: { token } });
    expect(await expired.json()).toEqual({ active: false });
  });

  test('requires client authentication', async ({ request }) => {
    const client = await registerMachineClient(request);
    const token = await clientCredentialsToken(request, client);
    const response = await request.post('/oauth/introspect', { form: { token } });
    expect(response.status()).toBe(401);
    expect((await response.json()).error).toBe('invalid_client');
  });
});

test.describe('POST /oauth/revoke (RFC 7009)', () => {
  test('revokes the token at once, audits it, and answers 200', async ({ request }) => {
    const client = await registerMachineClient(request);
    const auth = { Authorization: basic(client.client_id, client.client_secret!) };
    const token = await clientCredentialsToken(request, client);
    const response = await request.post('/oauth/revoke', { headers: auth, form: { token, token_type_hint: 'access_token' } });
    expect(response.status()).toBe(200);
    expect(await response.text()).toBe('');
    const introspection = await request.post('/oauth/introspect', { headers: auth, form: { token } });
    expect(await introspection.json()).toEqual({ active: false });
    const { rows } = await testDb().query(
      `SELECT t.revoked_at, t.revoked_reason, (SELECT count(*)::int FROM audit_events e WHERE e.token_id = t.id AND e.action = 'token.revoke') AS audits
         FROM tokens t JOIN agents a ON a.id = t.agent_id WHERE a.client_id = $1`,
      [client.client_id],
    );
    expect(rows[0].revoked_at).not.toBeNull();
    expect(rows[0].revoked_reason).toBe('revoked by the client (RFC 7009)');
    expect(rows[0].audits).toBe(1);
    // Revoking again, or an unknown token, is still 200 and writes nothing more.
    expect((await request.post('/oauth/revoke', { headers: auth, form: { token } })).status()).toBe(200);
    expect((await request.post('/oauth/revoke', { headers: auth, form: { token: 'nonsense' } })).status()).toBe(200);
    const again = await testDb().query(
      "SELECT count(*)::int AS n FROM audit_events WHERE token_id = (SELECT t.id FROM tokens t JOIN agents a ON a.id = t.agent_id WHERE a.client_id = $1) AND action = 'token.revoke'",
      [client.client_id],
    );
    expect(again.rows[0].n).toBe(1);
  });

  test("a client cannot revoke another client's token", async ({ request }) => {
    const owner = await registerMachineClient(request);
    const attacker = await registerMachineClient(request);
    const token = await clientCredentialsToken(request, owner);
    const response = await request.post('/oauth/revoke', {
      headers: { Authorization: basic(attacker.client_id, attacker.client_secret!) },
      form: { token },
    });
    expect(response.status()).toBe(200);
    const introspection = await request.post('/oauth/introspect', {
      headers: { Authorization: basic(owner.client_id, owner.client_secret!) },
      form: { token },
    });
    expect((await introspection.json()).active).toBe(true);
  });

  test('needs the token parameter and client authentication', async ({ request }) => {
    const client = await registerMachineClient(request);
    const missing = await request.post('/oauth/revoke', { headers: { Authorization: basic(client.client_id, client.client_secret!) }, form: {} });
    expect(missing.status()).toBe(400);
    expect(await missing.json()).toEqual({ error: 'invalid_request', error_description: 'token is required.' });
    const anonymous = await request.post('/oauth/revoke', { form: { token: 'x' } });
    expect(anonymous.status()).toBe(401);
  });
});
