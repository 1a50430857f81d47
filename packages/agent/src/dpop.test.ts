import { describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { DpopKey, DpopNonces, htuOf, sha256Base64url } from './dpop';

describe('DpopKey (RFC 9449)', () => {
  it('signs proofs the way §4.2 asks: typ, ES256, public jwk only, htm, htu without query, ath, nonce', async () => {
    const key = await DpopKey.generate();
    const proof = await key.proof({ method: 'post', url: 'https://leash.example/api/v1/payments?x=1#frag', accessToken: 'lsh_at_example', nonce: 'n-1' });
    const header = jose.decodeProtectedHeader(proof);
    expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' });
    expect(Object.keys(header.jwk!).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    const { payload } = await jose.jwtVerify(proof, await jose.importJWK(header.jwk!, 'ES256'), { typ: 'dpop+jwt' });
    expect(payload).toMatchObject({ htm: 'POST', htu: 'https://leash.example/api/v1/payments', nonce: 'n-1', ath: await sha256Base64url('lsh_at_example') });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
    expect(key.thumbprint).toBe(await jose.calculateJwkThumbprint(header.jwk!));
  });

  it('keeps the private key inside WebCrypto by default', async () => {
    const key = await DpopKey.generate();
    expect(key.keyPair.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', key.keyPair.privateKey)).rejects.toThrow();
  });

  it('imports a stored private JWK as a non-extractable key with the same thumbprint', async () => {
    const stored = await DpopKey.generate({ extractable: true });
    const jwk = await crypto.subtle.exportKey('jwk', stored.keyPair.privateKey);
    const imported = await DpopKey.fromPrivateJwk(jwk);
    expect(imported.thumbprint).toBe(stored.thumbprint);
    expect(imported.keyPair.privateKey.extractable).toBe(false);
  });

  it('omits ath and nonce when there is none, and never changes the path', async () => {
    const payload = jose.decodeJwt(await (await DpopKey.generate()).proof({ method: 'GET', url: 'http://127.0.0.1:3000/oauth/token' }));
    expect(payload).not.toHaveProperty('ath');
    expect(payload).not.toHaveProperty('nonce');
    expect(htuOf('http://localhost:3000/a/b/?q=1')).toBe('http://localhost:3000/a/b/');
  });
});

describe('DpopNonces', () => {
  it('remembers the latest nonce per origin, from any response that carries one', () => {
    const nonces = new DpopNonces();
    expect(nonces.remember('https://a.example/oauth/token', new Response(null, { headers: { 'DPoP-Nonce': 'one' } }))).toBe(true);
    expect(nonces.remember('https://a.example/api/v1/x', new Response(null))).toBe(false);
    expect(nonces.get('https://a.example/api/v1/datasets')).toBe('one');
    expect(nonces.get('https://b.example/api')).toBeUndefined();
  });
});
