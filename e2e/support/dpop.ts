// DPoP proofs (RFC 9449) made by hand for tests: the attacks a library would never make, and proofs
// for requests a library has no helper for (token exchange).
import crypto from 'node:crypto';
import * as jose from 'jose';
import type { APIRequestContext } from '@playwright/test';

/** A proof for `htm` `htu` signed with `key`; `extra` adds or overrides claims (nonce, ath, iat). */
export async function proof(key: CryptoKeyPair, htm: string, htu: string, extra: Record<string, unknown> = {}) {
  const jwk = await jose.exportJWK(key.publicKey);
  return new jose.SignJWT({ htm, htu, jti: crypto.randomUUID(), iat: Math.floor(Date.now() / 1000), ...extra }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).sign(key.privateKey);
}

export const newKey = () => jose.generateKeyPair('ES256', { extractable: true }) as Promise<CryptoKeyPair>;

/** The `ath` claim: the access token's SHA-256, base64url (§4.2). */
export const ath = (token: string) => crypto.createHash('sha256').update(token).digest('base64url');

/** The key's JWK SHA-256 thumbprint, as in `cnf.jkt` (§6.1). */
export async function thumbprint(key: CryptoKeyPair) {
  return jose.calculateJwkThumbprint(await jose.exportJWK(key.publicKey));
}

/** The server's current nonce: ask once without one (§8 use_dpop_nonce). */
export async function nonce(request: APIRequestContext, baseURL: string, key: CryptoKeyPair) {
  const response = await request.post('/oauth/token', { headers: { DPoP: await proof(key, 'POST', `${baseURL}/oauth/token`) }, form: { grant_type: 'client_credentials' } });
  return response.headers()['dpop-nonce']!;
}
