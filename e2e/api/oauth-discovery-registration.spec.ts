// @see 32cc44a (Authorization server, machine-to-machine core): the commit whose behaviour these tests guard.
import crypto from 'node:crypto';
import { expect, test } from '@playwright/test';
import { testDb } from '../support/db';
import { expectNoStore, registerClient } from '../support/oauth';
import { uniqueIp } from '../support/accounts';

test.describe('GET /.well-known/oauth-authorization-server (RFC 8414)', () => {
  test('describes exactly what works, with the configured issuer', async ({ request, baseURL }) => {
    const response = await request.get('/.well-known/oauth-authorization-server');
    expect(response.status()).toBe(200);
    expect(response.headers()['access-control-allow-origin']).toBe('*');
    const metadata = await response.json();
    expect(metadata).toEqual({
      issuer: baseURL,
      authorization_endpoint: `${baseURL}/oauth/authorize`,
      token_endpoint: `${baseURL}/oauth/token`,
      jwks_uri: `${baseURL}/.well-known/jwks.json`,
      registration_endpoint: `${baseURL}/oauth/register`,
      pushed_authorization_request_endpoint: `${baseURL}/oauth/par`,
      device_authorization_endpoint: `${baseURL}/oauth/device_authorization`,
      backchannel_authentication_endpoint: `${baseURL}/oauth/bc-authorize`,
      backchannel_token_delivery_modes_supported: ['poll'],
      backchannel_user_code_parameter_supported: false,
      revocation_endpoint: `${baseURL}/oauth/revoke`,
      introspection_endpoint: `${baseURL}/oauth/introspect`,
      scopes_supported: ['datasets:read', 'reports:read', 'reports:write', 'workflows:trigger', 'invoices:read', 'invoices:write', 'payments:write', 'offline_access'],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:token-exchange',
        'urn:ietf:params:oauth:grant-type:device_code',
        'urn:openid:params:grant-type:ciba',
      ],
      code_challenge_methods_supported: ['S256'],
      dpop_signing_alg_values_supported: ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
      token_endpoint_auth_signing_alg_values_supported: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    });
  });
});

test.describe('POST /oauth/register (RFC 7591)', () => {
  test('registers a confidential agent: 201, secret shown once and stored only as a hash, audited', async ({ request, baseURL }) => {
    const response = await request.post('/oauth/register', {
      headers: { 'X-Forwarded-For': uniqueIp() },
      data: {
        client_name: 'Quarterly <b>report</b> bot',
        grant_types: ['client_credentials'],
        scope: 'datasets:read reports:write',
        logo_uri: 'https://agents.example/logo.png',
        contacts: ['ops@agents.example'],
        unknown_field: 'ignored',
      },
    });
    expect(response.status()).toBe(201);
    expectNoStore(response.headers());
    const body = await response.json();
    expect(body).toEqual({
      client_id: expect.stringMatching(/^agent_[A-Za-z0-9_-]{22}$/),
      client_id_issued_at: expect.any(Number),
      client_secret: expect.stringMatching(/^lsh_cs_[0-9A-Za-z]{49}$/),
      client_secret_expires_at: 0,
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      application_type: 'web',
      scope: 'datasets:read reports:write',
      client_name: 'Quarterly <b>report</b> bot',
      logo_uri: 'https://agents.example/logo.png',
      contacts: ['ops@agents.example'],
      registration_access_token: expect.stringMatching(/^lsh_rat_[0-9A-Za-z]{49}$/),
      registration_client_uri: `${baseURL}/oauth/register/${body.client_id}`,
    });
    const { rows } = await testDb().query('SELECT id, name, registration, client_secret_hash, scopes FROM agents WHERE client_id = $1', [body.client_id]);
    expect(rows[0]).toMatchObject({ name: 'Quarterly <b>report</b> bot', registration: 'DCR', scopes: ['datasets:read', 'reports:write'] });
    expect(rows[0].client_secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows[0])).not.toContain(body.client_secret);
    const audit = await testDb().query("SELECT decision FROM audit_events WHERE agent_id = $1 AND action = 'client.register'", [rows[0].id]);
    expect(audit.rows).toEqual([{ decision: 'ALLOW' }]);
  });

  const invalid: [string, Record<string, unknown>, string, RegExp][] = [
    ['an unsupported grant type', { grant_types: ['password'] }, 'invalid_client_metadata', /not supported here: password/],
    ['the default authorization_code grant without redirect URIs', {}, 'invalid_redirect_uri', /required for authorization_code/],
    ['client_credentials for a public client', { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' }, 'invalid_client_metadata', /confidential/],
    ['an unknown scope', { grant_types: ['client_credentials'], scope: 'admin:all' }, 'invalid_client_metadata', /unknown scope: admin:all/],
    ['an http logo', { grant_types: ['client_credentials'], logo_uri: 'http://a.example/logo.png' }, 'invalid_client_metadata', /logo_uri/],
    ['a javascript: logo', { grant_types: ['client_credentials'], logo_uri: 'javascript:alert(1)' }, 'invalid_client_metadata', /logo_uri/],
    ['an overlong name', { grant_types: ['client_credentials'], client_name: 'x'.repeat(201) }, 'invalid_client_metadata', /client_name/],
    ['an unknown auth method', { grant_types: ['client_credentials'], token_endpoint_auth_method: 'tls_client_auth' }, 'invalid_client_metadata', /token_endpoint_auth_method/],
    ['a redirect URI with a fragment', { grant_types: ['client_credentials'], redirect_uris: ['https://a.example/cb#x'] }, 'invalid_redirect_uri', /fragment/],
    ['a plain-http web redirect URI', { grant_types: ['client_credentials'], redirect_uris: ['http://a.example/cb'] }, 'invalid_redirect_uri', /loopback/],
    ['a wildcard redirect URI', { grant_types: ['client_credentials'], redirect_uris: ['https://*.example/cb'] }, 'invalid_redirect_uri', /wildcard/],
  ];
  for (const [name, metadata, error, description] of invalid) {
    test(`refuses ${name} with ${error} and registers nothing`, async ({ request }) => {
      // A name of its own, so other tests registering at the same time do not matter.
      const marker = `invalid-${crypto.randomUUID()}`;
      const response = await request.post('/oauth/register', { headers: { 'X-Forwarded-For': uniqueIp() }, data: { client_name: marker, ...metadata } });
      expect(response.status()).toBe(400);
      expectNoStore(response.headers());
      const body = await response.json();
      expect(body.error).toBe(error);
      expect(body.error_description).toMatch(description);
      const after = await testDb().query('SELECT count(*)::int AS n FROM agents WHERE name = $1', [marker]);
      expect(after.rows[0].n).toBe(0);
    });
  }

  test('refuses a body that is not a JSON object', async ({ request }) => {
    for (const [data, type] of [
      ['{"client_name":', 'application/json'],
      ['[1,2]', 'application/json'],
      ['client_name=x', 'application/x-www-form-urlencoded'],
    ]) {
      const response = await request.post('/oauth/register', {
        data: Buffer.from(data!),
        headers: { 'Content-Type': type!, 'X-Forwarded-For': uniqueIp() },
      });
      expect(response.status()).toBe(400);
      expect((await response.json()).error).toBe('invalid_client_metadata');
    }
  });

  test('a native agent may use loopback and private-use redirect URIs', async ({ request }) => {
    const response = await request.post('/oauth/register', {
      headers: { 'X-Forwarded-For': uniqueIp() },
      // No application_type: loopback and reverse-domain private-use URIs only make it native
      // (RFC 8252 §7.1, §7.3); a stated type is tested in registration-real-clients.spec.ts.
      data: {
        grant_types: ['client_credentials'],
        redirect_uris: ['http://127.0.0.1/callback', 'com.example.agent:/callback'],
      },
    });
    expect(response.status()).toBe(201);
    const client = await registerClient(request, { grant_types: ['client_credentials'] });
    expect(client.scope).toContain('datasets:read');
  });
});

test('GET /.well-known/jwks.json publishes the public signing key, never a private member', async ({ request }) => {
  const response = await request.get('/.well-known/jwks.json');
  expect(response.status()).toBe(200);
  expect(response.headers()['cache-control']).toBe('public, max-age=300');
  const { keys } = await response.json();
  expect(keys.length).toBeGreaterThanOrEqual(1);
  for (const key of keys) {
    expect(key).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: expect.any(String), alg: 'ES256', use: 'sig' });
  }
});
