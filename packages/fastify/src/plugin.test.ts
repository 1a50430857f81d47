// The Fastify plugin in a real Fastify app (requests through inject), with real JWT access
// tokens from the test issuer: the metadata route, the preHandler on routes with `config.leash`,
// `request.leash` in the handler, routes without it left alone, and the Shared Signals endpoint.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import leash from './index.js';
import { CAEP } from '@leash/resource-server';
import { startTestIssuer, type TestIssuer } from '../../resource-server/src/test-issuer.js';

const RESOURCE = 'http://orders.test';
let issuer: TestIssuer;
let app: FastifyInstance;

beforeAll(async () => {
  issuer = await startTestIssuer(RESOURCE);
  app = Fastify();
  await app.register(leash, {
    issuer: issuer.issuer,
    resource: RESOURCE,
    tokenFormat: 'jwt',
    scopes: ['orders:read'],
    sharedSignals: { path: '/leash/events', endpointUrl: `${RESOURCE}/leash/events` },
  });
  app.get('/orders', { config: { leash: { scopes: ['orders:read'] } } }, async (request) => ({ user: request.leash?.userId, agent: request.leash?.clientId, intent: request.leash?.intent }));
  app.get('/health', async () => ({ ok: true }));
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await issuer.close();
});

describe('@leash/fastify', () => {
  it('serves the RFC 9728 metadata and leaves routes without config.leash alone', async () => {
    const metadata = await app.inject('/.well-known/oauth-protected-resource');
    expect(metadata.statusCode).toBe(200);
    expect(metadata.json()).toMatchObject({ resource: RESOURCE, authorization_servers: [issuer.issuer], scopes_supported: ['orders:read'] });
    expect((await app.inject('/health')).json()).toEqual({ ok: true });
  });

  it('refuses a protected route without a token with the challenge, and lets a valid token through with request.leash', async () => {
    const refused = await app.inject('/orders');
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toBe(`Bearer resource_metadata="${RESOURCE}/.well-known/oauth-protected-resource", scope="orders:read"`);
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(refused.json()).toEqual({ error: 'unauthorized', error_description: 'A bearer token is required.' });

    const token = await issuer.accessToken({ scope: 'orders:read' });
    const allowed = await app.inject({ url: '/orders', headers: { authorization: `Bearer ${token}`, 'agent-intent': 'List the orders to ship' } });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json()).toEqual({ user: 'user-1', agent: 'agent-1', intent: 'List the orders to ship' });
  });

  it('receives a pushed SET (RFC 8935): the token it revokes is refused at once', async () => {
    const token = await issuer.accessToken({ scope: 'orders:read', iat: Math.floor(Date.now() / 1000) - 5 });
    expect((await app.inject({ url: '/orders', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    const set = await issuer.set({ sub_id: { format: 'opaque', id: 'agent-1' }, events: { [CAEP.sessionRevoked]: { event_timestamp: Math.floor(Date.now() / 1000) } } });
    const pushed = await app.inject({ method: 'POST', url: '/leash/events', headers: { 'content-type': 'application/secevent+jwt' }, payload: set });
    expect(pushed.statusCode).toBe(202);
    const refused = await app.inject({ url: '/orders', headers: { authorization: `Bearer ${token}` } });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ error: 'invalid_token', error_description: 'The access token was revoked.' });
    const bad = await app.inject({ method: 'POST', url: '/leash/events', headers: { 'content-type': 'application/secevent+jwt' }, payload: 'not.a.set' });
    expect([bad.statusCode, bad.json().err]).toEqual([400, 'invalid_request']);
  });
});
