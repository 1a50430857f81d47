// For this package's tests: an issuer of the test's own (a node:http server on loopback) that
// publishes RFC 8414 metadata and a JWKS and signs JWT access tokens (RFC 9068), DPoP proofs
// (RFC 9449) and Security Event Tokens (RFC 8417) with real keys. It stands in for no Leash
// endpoint that introspects: tests that need introspection run against a real Leash
// (e2e/api/resource-server-kit.spec.ts).
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';

export type TestIssuer = {
  issuer: string;
  accessToken: (claims?: Record<string, unknown>, header?: Partial<jose.JWTHeaderParameters>) => Promise<string>;
  set: (payload: Record<string, unknown>, header?: Partial<jose.JWTHeaderParameters>) => Promise<string>;
  close: () => Promise<void>;
};

export async function startTestIssuer(audience: string): Promise<TestIssuer> {
  const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'test-1', alg: 'ES256', use: 'sig' };
  let issuer = '';
  const server = http.createServer((req, res) => {
    const json = (body: unknown) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/oauth-authorization-server') return json({ issuer, jwks_uri: `${issuer}/jwks`, backchannel_authentication_endpoint: `${issuer}/oauth/bc-authorize` });
    if (req.url === '/jwks') return json({ keys: [jwk] });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const now = () => Math.floor(Date.now() / 1000);
  return {
    issuer,
    accessToken: (claims = {}, header = {}) =>
      new jose.SignJWT({ iss: issuer, aud: audience, sub: 'user-1', client_id: 'agent-1', scope: 'orders:read', jti: crypto.randomUUID(), iat: now(), exp: now() + 300, ...claims })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'test-1', ...header })
        .sign(privateKey),
    set: (payload, header = {}) =>
      new jose.SignJWT({ iss: issuer, aud: audience, jti: crypto.randomUUID(), iat: now(), ...payload })
        .setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt', kid: 'test-1', ...header })
        .sign(privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A DPoP proof (RFC 9449 §4.2) for `htm` `htu`, bound to `accessToken` unless `ath` is overridden. */
export async function dpopProof(key: CryptoKeyPair, htm: string, htu: string, accessToken: string, extra: Record<string, unknown> = {}): Promise<string> {
  const jwk = await jose.exportJWK(key.publicKey);
  const ath = crypto.createHash('sha256').update(accessToken).digest('base64url');
  return new jose.SignJWT({ htm, htu, jti: crypto.randomUUID(), iat: Math.floor(Date.now() / 1000), ath, ...extra }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).sign(key.privateKey);
}

export const newDpopKey = () => jose.generateKeyPair('ES256', { extractable: true }) as Promise<CryptoKeyPair>;

export async function thumbprint(key: CryptoKeyPair): Promise<string> {
  return jose.calculateJwkThumbprint(await jose.exportJWK(key.publicKey));
}
