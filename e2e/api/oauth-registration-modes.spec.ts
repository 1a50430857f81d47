// LEASH_REGISTRATION: `token` needs the initial access token (RFC 7591 §3.1), `off` removes the
// endpoint from discovery and refuses registrations. Each mode runs a server of its own.
// @see eb14eea (Tests for LEASH_REGISTRATION token and off modes): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { spawnServer } from '../support/spawn-server';

const INITIAL_TOKEN = 'an-initial-access-token-of-32-chars-min';
const metadata = { grant_types: ['client_credentials'], client_name: 'Mode test agent' };

test('token mode: registration needs the initial access token', async () => {
  test.setTimeout(60_000);
  const server = await spawnServer({ LEASH_REGISTRATION: 'token', LEASH_REGISTRATION_TOKEN: INITIAL_TOKEN });
  try {
    const discovery = await (await fetch(`${server.baseURL}/.well-known/oauth-authorization-server`)).json();
    expect(discovery.registration_endpoint).toBe(`${discovery.issuer}/oauth/register`);
    const post = (headers: Record<string, string>) =>
      fetch(`${server.baseURL}/oauth/register`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(metadata) });
    const attempts: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong-token' }];
    for (const headers of attempts) {
      const refused = await post(headers);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="leash", error="invalid_token"');
      expect((await refused.json()).error).toBe('invalid_token');
    }
    expect((await post({ Authorization: `Bearer ${INITIAL_TOKEN}` })).status).toBe(201);
  } finally {
    await server.stop();
  }
});

test('off mode: no registration endpoint', async () => {
  test.setTimeout(60_000);
  const server = await spawnServer({ LEASH_REGISTRATION: 'off' });
  try {
    const discovery = await (await fetch(`${server.baseURL}/.well-known/oauth-authorization-server`)).json();
    expect(discovery).not.toHaveProperty('registration_endpoint');
    const refused = await fetch(`${server.baseURL}/oauth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(metadata),
    });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toBe('access_denied');
  } finally {
    await server.stop();
  }
});
