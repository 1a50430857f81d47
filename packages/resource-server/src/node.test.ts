// The kit without Fastify: the (req, res, next) middleware in an Express app, and in a plain
// node:http server, over real HTTP with real JWT access tokens from the test issuer.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, type Verifier } from './verifier.js';
import { leashMiddleware, protectedResourceMetadata, type NodeRequest } from './node.js';
import { startTestIssuer, type TestIssuer } from './test-issuer.js';

const RESOURCE = 'http://orders.test/api';
let issuer: TestIssuer;
let verifier: Verifier;

beforeAll(async () => {
  issuer = await startTestIssuer(RESOURCE);
  verifier = createVerifier({ issuer: issuer.issuer, resource: RESOURCE, tokenFormat: 'jwt' });
});
afterAll(() => issuer.close());

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('@leash/resource-server/node', () => {
  it('Express: the middleware refuses with the challenge, lets a valid token through with req.leash, and reads the route from the parsed body', async () => {
    const app = express();
    app.use(protectedResourceMetadata(verifier));
    app.use(express.json());
    app.post(
      '/api/orders',
      leashMiddleware(verifier, (req: NodeRequest & { body?: { amount?: number } }) => ({ scopes: req.body?.amount && req.body.amount > 100 ? ['orders:write', 'orders:large'] : ['orders:write'] })),
      (req: NodeRequest, res) => {
        res.status(201).json({ agent: req.leash?.clientId, scopes: req.leash?.scopes });
      },
    );
    const server = http.createServer(app);
    const base = await listen(server);
    try {
      expect((await (await fetch(`${base}/.well-known/oauth-protected-resource/api`)).json()).resource).toBe(RESOURCE);
      const token = await issuer.accessToken({ scope: 'orders:write' });
      const post = (amount: number, auth = `Bearer ${token}`) =>
        fetch(`${base}/api/orders`, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ amount }) });
      const small = await post(20);
      expect([small.status, await small.json()]).toEqual([201, { agent: 'agent-1', scopes: ['orders:write'] }]);
      const large = await post(500);
      expect(large.status).toBe(403);
      expect(large.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
      expect((await large.json()).scope).toBe('orders:write orders:large');
      const malformed = await post(20, 'Token abc');
      expect([malformed.status, (await malformed.json()).error]).toEqual([401, 'invalid_request']);
    } finally {
      server.close();
    }
  });

  it('node:http: the same middleware without next (it answers refusals itself)', async () => {
    const protect = leashMiddleware(verifier, { scopes: ['orders:read'] });
    const server = http.createServer((req: NodeRequest, res) => {
      void protect(req, res, () => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ user: req.leash?.userId }));
      });
    });
    const base = await listen(server);
    try {
      const refused = await fetch(`${base}/api/orders`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer resource_metadata="http://orders.test/.well-known/oauth-protected-resource/api", scope="orders:read"');
      const ok = await fetch(`${base}/api/orders`, { headers: { Authorization: `Bearer ${await issuer.accessToken()}` } });
      expect([ok.status, await ok.json()]).toEqual([200, { user: 'user-1' }]);
    } finally {
      server.close();
    }
  });
});
