// @see 32cc44a (Authorization server, machine-to-machine core): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { changeSeen, testDb } from '../support/db';
import { basic, expectNoStore, postRaw, registerClient, registerMachineClient } from '../support/oauth';
import { delegatedToken } from '../support/delegation';

test.describe('POST /oauth/token, client_credentials (RFC 6749 §4.4)', () => {
  test('issues a short-lived opaque token, stores only its hash, and audits the issuance', async ({ request, baseURL }) => {
    const client = await registerMachineClient(request);
    const response = await request.post('/oauth/token', {
      headers: { Authorization: basic(client.client_id, client.client_secret!) },
      form: { grant_type: 'client_credentials', scope: 'reports:read datasets:read' },
    });
    expect(response.status()).toBe(200);
    expectNoStore(response.headers());
    const body = await response.json();
    expect(body).toEqual({
      access_token: expect.stringMatching(/^lsh_at_[0-9A-Za-z]{49}$/),
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'datasets:read reports:read',
    });
    const { rows } = await testDb().query(
      `SELECT t.id, t.token_hash, t.kind, t.user_id, t.scopes, t.audience, round(extract(epoch FROM t.expires_at - t.created_at))::int AS ttl
         FROM tokens t JOIN agents a ON a.id = t.agent_id WHERE a.client_id = $1`,
      [client.client_id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'ACCESS', user_id: null, scopes: ['reports:read', 'datasets:read'], audience: [`${baseURL}/api`] });
    expect(rows[0].ttl).toBe(600);
    expect(JSON.stringify(await testDb().query('SELECT * FROM tokens WHERE id = $1', [rows[0].id]))).not.toContain(body.access_token);
    const audit = await testDb().query('SELECT action, decision, scopes FROM audit_events WHERE token_id = $1', [rows[0].id]);
    expect(audit.rows).toEqual([{ action: 'token.issue', decision: 'ALLOW', scopes: ['reports:read', 'datasets:read'] }]);
  });

  test('without a scope, grants what the agent registered; client_secret_post works too', async ({ request }) => {
    const client = await registerMachineClient(request, { token_endpoint_auth_method: 'client_secret_post' });
    const response = await request.post('/oauth/token', {
      form: { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret! },
    });
    expect(response.status()).toBe(200);
    expect((await response.json()).scope).toBe('datasets:read reports:read reports:write');
  });

  test('a resource indicator becomes the audience; an unknown one is invalid_target (RFC 8707)', async ({ request, baseURL }) => {
    const client = await registerMachineClient(request);
    const auth = { Authorization: basic(client.client_id, client.client_secret!) };
    const ok = await postRaw(request, '/oauth/token', `grant_type=client_credentials&resource=${encodeURIComponent(`${baseURL}/mcp`)}&resource=${encodeURIComponent(`${baseURL}/api`)}`, auth);
    expect(ok.status()).toBe(200);
    const { rows } = await testDb().query('SELECT t.audience FROM tokens t JOIN agents a ON a.id = t.agent_id WHERE a.client_id = $1', [client.client_id]);
    expect(rows[0].audience).toEqual([`${baseURL}/mcp`, `${baseURL}/api`]);
    for (const resource of ['https://evil.example/api', `${baseURL}/api#frag`, 'not a uri', `${baseURL}/api/`]) {
      const bad = await request.post('/oauth/token', { headers: auth, form: { grant_type: 'client_credentials', resource } });
      expect(bad.status()).toBe(400);
      expect((await bad.json()).error).toBe('invalid_target');
    }
  });

  test('scope: unknown, or nothing registered (offline_access included: no refresh here), is invalid_scope; nothing is issued and each refusal is audited', async ({ request }) => {
    const client = await registerMachineClient(request);
    const auth = { Authorization: basic(client.client_id, client.client_secret!) };
    for (const scope of ['admin', 'payments:write', 'offline_access', 'payments:write offline_access', 'reports:read admin']) {
      const response = await request.post('/oauth/token', { headers: auth, form: { grant_type: 'client_credentials', scope } });
      expect(response.status(), scope).toBe(400);
      expect((await response.json()).error).toBe('invalid_scope');
    }
    const { rows } = await testDb().query('SELECT count(*)::int AS n FROM tokens t JOIN agents a ON a.id = t.agent_id WHERE a.client_id = $1', [client.client_id]);
    expect(rows[0].n).toBe(0);
    const audit = await testDb().query(`SELECT e.decision, e.scopes FROM audit_events e JOIN agents a ON a.id = e.agent_id WHERE a.client_id = $1 AND e.action = 'token.refuse' ORDER BY e.id`, [
      client.client_id,
    ]);
    expect(audit.rows.map((r) => r.scopes.join(' '))).toEqual(['admin', 'payments:write', 'offline_access', 'payments:write offline_access', 'reports:read admin']);
  });

  test('scope: asking beyond the registration gets the registered part, says so in `scope`, and the record keeps what was asked (RFC 6749 §3.3)', async ({ request }) => {
    // mcp-remote --client-credentials asks for the scopes of the 401 challenge, not its registration.
    const client = await registerMachineClient(request, { scope: 'datasets:read' });
    const auth = { Authorization: basic(client.client_id, client.client_secret!) };
    const response = await request.post('/oauth/token', { headers: auth, form: { grant_type: 'client_credentials', scope: 'datasets:read reports:read offline_access' } });
    expect(response.status(), await response.text()).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'datasets:read' });
    const { rows } = await testDb().query(
      `SELECT t.scopes, e.details->'requested_scopes' AS requested FROM tokens t JOIN audit_events e ON e.token_id = t.id AND e.action = 'token.issue'
        WHERE t.token_hash = encode(sha256($1::bytea), 'hex')`,
      [body.access_token],
    );
    expect(rows).toEqual([{ scopes: ['datasets:read'], requested: ['datasets:read', 'reports:read', 'offline_access'] }]);
  });
});

test.describe('POST /oauth/token: request and client errors', () => {
  test('client authentication failures are 401 invalid_client, with a Basic challenge when Basic was used', async ({ request }) => {
    const client = await registerMachineClient(request);
    const cases: [Record<string, string>, Record<string, string>, boolean][] = [
      [{ Authorization: basic(client.client_id, 'wrong-secret') }, {}, true],
      [{ Authorization: basic('agent_unknown', client.client_secret!) }, {}, true],
      [{ Authorization: 'Basic !!!not-base64' }, {}, true],
      [{}, { client_id: client.client_id, client_secret: client.client_secret! }, false], // registered for basic, used post
      [{}, { client_id: client.client_id }, false], // no secret at all
      [{}, {}, false], // no client at all
    ];
    for (const [headers, form, challenged] of cases) {
      const response = await request.post('/oauth/token', { headers, form: { grant_type: 'client_credentials', ...form } });
      expect(response.status()).toBe(401);
      expectNoStore(response.headers());
      expect((await response.json()).error).toBe('invalid_client');
      if (challenged) expect(response.headers()['www-authenticate']).toBe('Basic realm="leash", charset="UTF-8"');
      else expect(response.headers()['www-authenticate']).toBeUndefined();
    }
  });

  test('two authentication methods at once is invalid_request', async ({ request }) => {
    const client = await registerMachineClient(request);
    const response = await request.post('/oauth/token', {
      headers: { Authorization: basic(client.client_id, client.client_secret!) },
      form: { grant_type: 'client_credentials', client_secret: client.client_secret! },
    });
    expect(response.status()).toBe(400);
    expect((await response.json()).error).toBe('invalid_request');
  });

  test('a suspended agent cannot get tokens', async ({ request }) => {
    const client = await registerMachineClient(request);
    await changeSeen("UPDATE agents SET status = 'SUSPENDED' WHERE client_id = $1 RETURNING id AS cache_key", [client.client_id]);
    // Made behind the app's back (as by another instance): applied once the app hears of it.
    await expect
      .poll(async () => (await request.post('/oauth/token', { headers: { Authorization: basic(client.client_id, client.client_secret!) }, form: { grant_type: 'client_credentials' } })).status())
      .toBe(401);
    const response = await request.post('/oauth/token', {
      headers: { Authorization: basic(client.client_id, client.client_secret!) },
      form: { grant_type: 'client_credentials' },
    });
    expect(response.status()).toBe(401);
    expect(await response.json()).toEqual({ error: 'invalid_client', error_description: 'This client is suspended.' });
  });

  test('repeated parameters, wrong content type, oversized and missing grant_type are invalid_request', async ({ request }) => {
    const client = await registerMachineClient(request);
    const auth = { Authorization: basic(client.client_id, client.client_secret!) };
    const repeated = await postRaw(request, '/oauth/token', 'grant_type=client_credentials&scope=reports:read&scope=datasets:read', auth);
    expect(repeated.status()).toBe(400);
    expect(await repeated.json()).toEqual({ error: 'invalid_request', error_description: 'The parameter "scope" is repeated.' });
    const repeatedEmpty = await postRaw(request, '/oauth/token', 'grant_type=&grant_type=client_credentials', auth);
    expect((await repeatedEmpty.json()).error).toBe('invalid_request');
    const json = await request.post('/oauth/token', { headers: auth, data: { grant_type: 'client_credentials' } });
    expect(json.status()).toBe(400);
    expect((await json.json()).error).toBe('invalid_request');
    const big = await postRaw(request, '/oauth/token', `grant_type=client_credentials&scope=${'a'.repeat(70_000)}`, auth);
    expect(big.status()).toBe(413);
    expect((await big.json()).error).toBe('invalid_request');
    const missing = await request.post('/oauth/token', { headers: auth, form: { scope: 'reports:read' } });
    expect(await missing.json()).toEqual({ error: 'invalid_request', error_description: 'grant_type is required.' });
  });

  test('unknown grants are unsupported_grant_type; grants the client did not register are unauthorized_client', async ({ request }) => {
    const client = await registerMachineClient(request);
    const auth = { Authorization: basic(client.client_id, client.client_secret!) };
    const password = await request.post('/oauth/token', { headers: auth, form: { grant_type: 'password', username: 'a', password: 'b' } });
    expect(password.status()).toBe(400);
    expect((await password.json()).error).toBe('unsupported_grant_type');
    // Registered before client_credentials was in its grant_types: simulate with the database.
    const other = await registerClient(request, { grant_types: ['client_credentials'] });
    await changeSeen("UPDATE agents SET grant_types = '{authorization_code}' WHERE client_id = $1 RETURNING id AS cache_key", [other.client_id]);
    // Made behind the app's back (as by another instance): applied once the app hears of it.
    await expect
      .poll(async () => (await request.post('/oauth/token', { headers: { Authorization: basic(other.client_id, other.client_secret!) }, form: { grant_type: 'client_credentials' } })).status())
      .toBe(400);
    const refused = await request.post('/oauth/token', {
      headers: { Authorization: basic(other.client_id, other.client_secret!) },
      form: { grant_type: 'client_credentials' },
    });
    expect(refused.status()).toBe(400);
    expect((await refused.json()).error).toBe('unauthorized_client');
  });
});

test.describe('POST /oauth/token, refresh_token reuse (RFC 9700 §4.14.2)', () => {
  // This spec runs on both mounts (projects api and api-next): the alert is raised by a listener of
  // the `refresh_token.reused` event (lib/events/leash-events.ts), which each copy of lib/ (the
  // fast path's and the Next bundle's) must have subscribed itself.
  test('a refresh token presented twice is invalid_grant, and the user gets the critical alert on this mount', async ({ request, baseURL }) => {
    const delegation = await delegatedToken(request, baseURL!, 'reports:read offline_access');
    expect(delegation.refreshToken).toBeTruthy();
    const refresh = () => request.post('/oauth/token', { form: { grant_type: 'refresh_token', client_id: delegation.clientId, refresh_token: delegation.refreshToken! } });
    expect((await refresh()).status()).toBe(200);
    const reuse = await refresh();
    expect(reuse.status()).toBe(400);
    expect((await reuse.json()).error).toBe('invalid_grant');
    // The listener ran before the answer left (the grant waits for it, as it waited for the rule).
    const { rows } = await testDb().query('SELECT kind, severity, agent_id FROM alerts WHERE user_id = $1', [delegation.userId]);
    expect(rows).toEqual([{ kind: 'refresh_token_reuse', severity: 'CRITICAL', agent_id: delegation.agentId }]);
  });
});
