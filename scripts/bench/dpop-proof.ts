// DPoP proofs (RFC 9449 §4.2) made synchronously, one per request, for the load generator:
// ES256 over node:crypto, so autocannon's setupRequest can stamp each request with a fresh proof.
import crypto from 'node:crypto';

/** `proof(…)`: with the access token it goes with (a resource request, `ath`), or none (the token endpoint). */
export type DpopKey = { jkt: string; proof: (method: string, url: string, accessToken: string | undefined, nonce: string | undefined) => string };

const b64 = (value: Buffer | string) => Buffer.from(value).toString('base64url');

export function dpopKey(): DpopKey {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y: string };
  const publicJwk = { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  // RFC 7638: the thumbprint over the required members in lexicographic order.
  const jkt = b64(crypto.createHash('sha256').update(JSON.stringify(publicJwk)).digest());
  const header = b64(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk }));
  return {
    jkt,
    proof(method, url, accessToken, nonce) {
      const payload = b64(
        JSON.stringify({
          jti: crypto.randomUUID(),
          htm: method,
          htu: url,
          iat: Math.floor(Date.now() / 1000),
          ...(accessToken ? { ath: b64(crypto.createHash('sha256').update(accessToken).digest()) } : {}),
          ...(nonce ? { nonce } : {}),
        }),
      );
      const signature = crypto.sign('sha256', Buffer.from(`${header}.${payload}`), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return `${header}.${payload}.${b64(signature)}`;
    },
  };
}
