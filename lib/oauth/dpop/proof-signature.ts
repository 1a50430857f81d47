// A DPoP proof's signature (RFC 9449 §4.3 steps 2–8), checked with node:crypto synchronously. A
// proof arrives with every DPoP-bound request, so this is on the resource server's hot path: jose's
// `jwtVerify` goes through WebCrypto, whose every verification is a promise and a job on libuv's
// thread pool, about 35 µs more per proof than the same OpenSSL call made directly (issue 16 §5,
// docs/performance.md). What jose checked for us is checked here, in the same way:
// - the JWS is compact, three parts, each strict base64url (RFC 7515 §7.1), the signature not empty;
// - the header is a JSON object without `crit` (RFC 7515 §4.1.11: we understand no extension, so
//   a proof that lists one is refused) and without `b64` (RFC 7797: only meaningful with `crit`);
// - the key is public and of the algorithm's type and curve; an RSA key has at least 2048 bits;
// - the payload is a JSON object; `exp` and `nbf`, when present, are numbers and hold now.
import crypto from 'node:crypto';

/** Asymmetric algorithms only (RFC 9449 §4.2: `none` and MACs are not allowed). */
export const DPOP_ALGS = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'] as const;
export type ProofAlg = (typeof DPOP_ALGS)[number];

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A compact JWS split once, with its header read (to find the key) before its signature is checked. */
export type ReadProof = { header: Record<string, unknown>; parts: readonly [string, string, string] };

/** The key object for a proof's `jwk`, or an error when it is not a public key fit for `alg`. */
export function importProofKey(jwk: crypto.JsonWebKey, alg: ProofAlg): crypto.KeyObject {
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  if (key.type !== 'public') throw new Error('not a public key');
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  const fits =
    alg === 'ES256'
      ? type === 'ec' && details.namedCurve === 'prime256v1'
      : alg === 'ES384'
        ? type === 'ec' && details.namedCurve === 'secp384r1'
        : alg === 'EdDSA'
          ? type === 'ed25519' || type === 'ed448'
          : (type === 'rsa' || (alg === 'PS256' && type === 'rsa-pss')) && (details.modulusLength ?? 0) >= 2048;
  if (!fits) throw new Error(`the key does not fit ${alg}`);
  return key;
}

function verifySignature(alg: ProofAlg, key: crypto.KeyObject, data: Buffer, signature: Buffer): boolean {
  switch (alg) {
    case 'ES256':
      return crypto.verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'ES384':
      return crypto.verify('sha384', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'EdDSA':
      return crypto.verify(null, data, key, signature);
    case 'RS256':
      return crypto.verify('sha256', data, key, signature);
    case 'PS256':
      return crypto.verify('sha256', data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
  }
}

function jsonObject(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The proof split into its three strict base64url parts, with its header read; null if malformed. */
export function readProof(jws: string): ReadProof | null {
  const parts = jws.split('.');
  // The signature may be empty here (`alg: none`), so the caller can say which algorithm it refuses;
  // verifiedProofPayload refuses an empty one.
  if (parts.length !== 3 || !BASE64URL.test(parts[0]!) || !BASE64URL.test(parts[1]!) || !/^[A-Za-z0-9_-]*$/.test(parts[2]!)) return null;
  const header = jsonObject(parts[0]!);
  return header ? { header, parts: parts as [string, string, string] } : null;
}

/**
 * The payload of a proof whose signature `key` verifies for `alg`, or null (a header naming another
 * algorithm or an extension this code does not understand, a bad signature, a payload that is not
 * an object, an expired or not yet valid `exp`/`nbf`).
 */
export function verifiedProofPayload({ header, parts }: ReadProof, alg: ProofAlg, key: crypto.KeyObject, nowSeconds: number): Record<string, unknown> | null {
  if (!parts[2] || header.alg !== alg || 'crit' in header || 'b64' in header) return null;
  let valid: boolean;
  try {
    valid = verifySignature(alg, key, Buffer.from(`${parts[0]}.${parts[1]}`), Buffer.from(parts[2], 'base64url'));
  } catch {
    valid = false;
  }
  if (!valid) return null;
  const payload = jsonObject(parts[1]);
  if (!payload) return null;
  // RFC 7519 §4.1.4 and §4.1.5, as jose's jwtVerify applies them (no clock tolerance).
  if ('exp' in payload && (typeof payload.exp !== 'number' || payload.exp <= nowSeconds)) return null;
  if ('nbf' in payload && (typeof payload.nbf !== 'number' || payload.nbf > nowSeconds)) return null;
  return payload;
}
