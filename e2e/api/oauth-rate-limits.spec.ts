// The e2e server runs with LEASH_TOKEN_CLIENT_LIMIT=10, LEASH_TOKEN_IP_LIMIT=300 and
// LEASH_REGISTER_IP_LIMIT=40 (playwright.config.ts).
// @see 32cc44a (Authorization server, machine-to-machine core): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { uniqueIp } from '../support/accounts';
import { basic, registerMachineClient } from '../support/oauth';

test('the token endpoint limits each client: 429 slow_down with Retry-After; other clients are unaffected', async ({ request }) => {
  const busy = await registerMachineClient(request);
  const calm = await registerMachineClient(request);
  const ask = (c: typeof busy) =>
    request.post('/oauth/token', {
      headers: { Authorization: basic(c.client_id, c.client_secret!), 'X-Forwarded-For': uniqueIp() },
      form: { grant_type: 'client_credentials', scope: 'reports:read' },
    });
  for (let i = 0; i < 10; i++) expect((await ask(busy)).status()).toBe(200);
  const refused = await ask(busy);
  expect(refused.status()).toBe(429);
  expect(Number(refused.headers()['retry-after'])).toBeGreaterThan(0);
  expect(refused.headers()['cache-control']).toBe('no-store');
  expect((await refused.json()).error).toBe('slow_down');
  expect((await ask(calm)).status()).toBe(200);
});

test('the token endpoint limits each client IP, before any client authentication', async ({ request }) => {
  const ip = uniqueIp();
  const statuses: number[] = [];
  for (let i = 0; i < 301; i++) {
    const response = await request.post('/oauth/token', {
      headers: { 'X-Forwarded-For': ip },
      form: { grant_type: 'client_credentials', client_id: 'agent_nobody', client_secret: 'x' },
    });
    statuses.push(response.status());
  }
  expect(statuses.slice(0, 300).every((s) => s === 401)).toBe(true);
  expect(statuses[300]).toBe(429);
});

test('registration is limited per IP: 429 with Retry-After and an error registration clients know (temporarily_unavailable, not the device-flow slow_down)', async ({ request }) => {
  const ip = uniqueIp();
  const register = () => request.post('/oauth/register', { headers: { 'X-Forwarded-For': ip }, data: { grant_types: ['client_credentials'] } });
  for (let i = 0; i < 40; i++) expect((await register()).status()).toBe(201);
  const refused = await register();
  expect(refused.status()).toBe(429);
  expect(Number(refused.headers()['retry-after'])).toBeGreaterThan(0);
  expect(refused.headers()['cache-control']).toBe('no-store');
  expect(await refused.json()).toEqual({ error: 'temporarily_unavailable', error_description: expect.stringMatching(/^Too many registrations from this address\. Retry after \d+ seconds\.$/) });
  const elsewhere = await request.post('/oauth/register', {
    headers: { 'X-Forwarded-For': uniqueIp() },
    data: { grant_types: ['client_credentials'] },
  });
  expect(elsewhere.status()).toBe(201);
});
