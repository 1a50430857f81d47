// @see 60d9a8e (RFC 7592 client configuration (read, replace, delete with): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { testDb } from '../support/db';
import { basic, clientCredentialsToken, registerMachineClient } from '../support/oauth';

test.describe('client configuration endpoint (RFC 7592)', () => {
  test('a client reads and replaces its registration with its registration access token', async ({ request }) => {
    const client = await registerMachineClient(request);
    const auth = { Authorization: `Bearer ${client.registration_access_token}` };
    const read = await request.get(client.registration_client_uri as string, { headers: auth });
    expect(read.status()).toBe(200);
    expect(read.headers()['cache-control']).toBe('no-store');
    const current = await read.json();
    expect(current).toMatchObject({ client_id: client.client_id, client_name: 'Nightly report bot', scope: 'datasets:read reports:read reports:write' });
    expect(current.client_secret).toBeUndefined();

    const updated = await request.put(client.registration_client_uri as string, {
      headers: auth,
      data: { ...current, client_name: 'Weekly report bot', scope: 'reports:read' },
    });
    expect(updated.status()).toBe(200);
    expect(await updated.json()).toMatchObject({ client_name: 'Weekly report bot', scope: 'reports:read' });
    const { rows } = await testDb().query('SELECT name, scopes FROM agents WHERE client_id = $1', [client.client_id]);
    expect(rows[0]).toEqual({ name: 'Weekly report bot', scopes: ['reports:read'] });
    // The narrower registration applies at once.
    const wide = await request.post('/oauth/token', {
      headers: { Authorization: basic(client.client_id, client.client_secret!) },
      form: { grant_type: 'client_credentials', scope: 'reports:write' },
    });
    expect((await wide.json()).error).toBe('invalid_scope');
  });

  test("a wrong or missing token, or another client's, is 401 invalid_token", async ({ request }) => {
    const client = await registerMachineClient(request);
    const other = await registerMachineClient(request);
    const attempts: Record<string, string>[] = [{}, { Authorization: 'Bearer lsh_rat_nope' }, { Authorization: `Bearer ${other.registration_access_token}` }];
    for (const headers of attempts) {
      const response = await request.get(client.registration_client_uri as string, { headers });
      expect(response.status()).toBe(401);
      expect(response.headers()['www-authenticate']).toBe('Bearer realm="leash", error="invalid_token"');
      expect((await response.json()).error).toBe('invalid_token');
    }
  });

  test('an update must keep the client_id and valid metadata', async ({ request }) => {
    const client = await registerMachineClient(request);
    const auth = { Authorization: `Bearer ${client.registration_access_token}` };
    const current = await (await request.get(client.registration_client_uri as string, { headers: auth })).json();
    const otherId = await request.put(client.registration_client_uri as string, { headers: auth, data: { ...current, client_id: 'agent_x' } });
    expect((await otherId.json()).error).toBe('invalid_request');
    const badScope = await request.put(client.registration_client_uri as string, { headers: auth, data: { ...current, scope: 'root' } });
    expect((await badScope.json()).error).toBe('invalid_client_metadata');
  });

  test("deleting revokes the client's tokens and disables its client_id and token", async ({ request }) => {
    const client = await registerMachineClient(request);
    const token = await clientCredentialsToken(request, client);
    const auth = { Authorization: `Bearer ${client.registration_access_token}` };
    const deleted = await request.delete(client.registration_client_uri as string, { headers: auth });
    expect(deleted.status()).toBe(204);
    const { rows } = await testDb().query('SELECT t.revoked_reason FROM tokens t JOIN agents a ON a.id = t.agent_id WHERE a.client_id = $1', [client.client_id]);
    expect(rows).toEqual([{ revoked_reason: 'client deleted (RFC 7592)' }]);
    expect(token).toMatch(/^lsh_at_/);
    const again = await request.post('/oauth/token', {
      headers: { Authorization: basic(client.client_id, client.client_secret!) },
      form: { grant_type: 'client_credentials' },
    });
    expect(again.status()).toBe(401);
    expect((await request.get(client.registration_client_uri as string, { headers: auth })).status()).toBe(401);
  });
});
