// The machine routes are served twice (lib/endpoints/machine-routes.ts): on the production server's
// `node:http` fast path (project `api`) and by Next's router (project `api-next`, a server with
// LEASH_FAST_PATH=0). These cases pin what must not differ between the two mounts, and check that
// each project really exercises the mount it names (Next marks its responses with `Vary: rsc, …`).
// @see a9420bb (Fast path): the commit whose behaviour these tests guard.
import http from 'node:http';
import { expect, test } from '@playwright/test';
import { testDb } from '../support/db';
import { basic, clientCredentialsToken, registerMachineClient } from '../support/oauth';

const onNextMount = () => test.info().project.name === 'api-next';

test('the token endpoint is answered by the mount under test, with the security headers of every API response', async ({ request }) => {
  const response = await request.post('/oauth/token', { form: { grant_type: 'client_credentials' } });
  expect(response.status()).toBe(401);
  expect(await response.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication is required.' });
  const headers = response.headers();
  if (onNextMount()) expect(headers['vary']).toContain('rsc');
  else expect(headers['vary'] ?? '').not.toContain('rsc');
  expect(headers['cache-control']).toBe('no-store');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
});

test('other methods on a machine path are Next’s: 405 for GET /oauth/token', async ({ request }) => {
  expect((await request.get('/oauth/token')).status()).toBe(405);
});

test('an oversized body is refused with 413 invalid_request before it is parsed (RFC 6749 §5.2 error format)', async ({ request }) => {
  const client = await registerMachineClient(request);
  const response = await request.post('/oauth/token', {
    headers: { Authorization: basic(client.client_id, client.client_secret!), 'Content-Type': 'application/x-www-form-urlencoded' },
    data: Buffer.from(`grant_type=client_credentials&scope=${'a'.repeat(2 * 1024 * 1024)}`),
  });
  expect(response.status()).toBe(413);
  expect((await response.json()).error).toBe('invalid_request');
});

test('path parameters arrive decoded, as Next decodes them', async ({ request }) => {
  const client = await registerMachineClient(request);
  const token = await clientCredentialsToken(request, client, { scope: 'datasets:read' });
  const response = await request.post('/api/v1/datasets/ds%5Fsales%5F2026/query', {
    headers: { Authorization: `Bearer ${token}` },
    data: { filters: {}, limit: 1 },
  });
  expect(response.status(), await response.text()).toBe(200);
  expect((await response.json()).dataset_id).toBe('ds_sales_2026');
  const missing = await request.post('/api/v1/datasets/no%20such/query', { headers: { Authorization: `Bearer ${token}` }, data: { filters: {} } });
  expect(missing.status()).toBe(404);
});

test('a request the handler cannot parse gets the handler’s error, not a crash: malformed JSON to the API', async ({ request }) => {
  const client = await registerMachineClient(request);
  const token = await clientCredentialsToken(request, client, { scope: 'datasets:read' });
  const response = await request.post('/api/v1/datasets/ds_sales_2026/query', {
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    data: Buffer.from('{"filters": {'),
  });
  expect(response.status()).toBe(400);
  expect((await response.json()).error).toBe('invalid_request');
});

test('the Host header cannot change what the audit log says was called', async ({ request, baseURL }) => {
  const client = await registerMachineClient(request);
  const token = await clientCredentialsToken(request, client, { scope: 'datasets:read' });
  // A Host with a path and a query in it: built into a URL naively, it would make the path
  // '/forged' and turn the real one into a query string.
  const target = new URL('/api/v1/datasets', baseURL);
  const status = await new Promise<number>((resolve, reject) => {
    const sent = http.request({ host: target.hostname, port: target.port, path: target.pathname, headers: { Host: 'evil.example/forged?', Authorization: `Bearer ${token}` } }, (answer) => {
      answer.resume();
      answer.on('end', () => resolve(answer.statusCode!));
    });
    sent.on('error', reject);
    sent.end();
  });
  const { rows } = await testDb().query("SELECT resource FROM audit_events WHERE action = 'datasets.list' AND token_id = (SELECT id FROM tokens WHERE token_hash = encode(sha256($1::bytea), 'hex'))", [
    token,
  ]);
  // Either mount may refuse such a request outright; whatever it answered, no row names the forged path.
  expect(rows.map((r) => r.resource)).not.toContain('GET /forged');
  if (status === 200) expect(rows.map((r) => r.resource)).toEqual(['GET /api/v1/datasets']);
});
