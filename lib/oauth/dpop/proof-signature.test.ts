// The DPoP proof signature check that replaced jose's jwtVerify on the hot path (issue 16 §5):
// each refusal jose made is still made. Proofs are signed with jose, as a client would.
import crypto from 'node:crypto';
import * as jose from 'jose';
import { describe, expect, it } from 'vitest';
import { importProofKey, readProof, verifiedProofPayload as verifiedFrom, type ProofAlg } from '@/lib/oauth/dpop/proof-signature';

// The payload of a compact JWS as the server reads it: split and parsed once, then verified.
const verifiedProofPayload = (jws: string, alg: ProofAlg, key: crypto.KeyObject, now: number) => {
  const proof = readProof(jws);
  return proof && verifiedFrom(proof, alg, key, now);
};

const now = Math.floor(Date.now() / 1000);
const claims = { jti: 'j1', htm: 'GET', htu: 'https://leash.example/api/v1/datasets', iat: now };

function pair(alg: ProofAlg, options: Record<string, unknown> = {}) {
  const kind = {
    ES256: ['ec', { namedCurve: 'P-256' }],
    ES384: ['ec', { namedCurve: 'P-384' }],
    EdDSA: ['ed25519', {}],
    RS256: ['rsa', { modulusLength: 2048 }],
    PS256: ['rsa', { modulusLength: 2048 }],
  }[alg];
  const { publicKey, privateKey } = crypto.generateKeyPairSync(
    kind[0] as 'ec',
    { ...(kind[1] as object), ...options } as crypto.ECKeyPairOptions<'pem', 'pem'> & object,
  ) as unknown as crypto.KeyPairKeyObjectResult;
  return { jwk: publicKey.export({ format: 'jwk' }), privateKey };
}

async function proof(alg: ProofAlg, payload: Record<string, unknown> = claims, header: Record<string, unknown> = {}) {
  const { jwk, privateKey } = pair(alg);
  const jws = await new jose.SignJWT(payload).setProtectedHeader({ alg, typ: 'dpop+jwt', jwk, ...header }).sign(privateKey);
  return { jws, jwk };
}

/** A proof signed by hand (jose will not sign some of these): its header with `extra`, its payload as given. */
function handMade(extra: Record<string, unknown>, payload: string) {
  const { privateKey, jwk } = pair('ES256');
  const h = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...extra })).toString('base64url');
  const p = Buffer.from(payload).toString('base64url');
  const sig = crypto.sign('sha256', Buffer.from(`${h}.${p}`), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return { jws: `${h}.${p}.${sig}`, key: importProofKey(jwk, 'ES256') };
}

describe('a DPoP proof signature', () => {
  it.each(['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'] as const)('%s: a proof made by jose verifies, and its payload comes back', async (alg) => {
    const { jws, jwk } = await proof(alg);
    expect(readProof(jws)?.header).toMatchObject({ alg, typ: 'dpop+jwt' });
    expect(verifiedProofPayload(jws, alg, importProofKey(jwk, alg), now)).toEqual(claims);
  });

  it('refuses a changed payload, a changed or missing signature, and another key', async () => {
    const { jws, jwk } = await proof('ES256');
    const key = importProofKey(jwk, 'ES256');
    const [h, p, s] = jws.split('.');
    const other = Buffer.from(JSON.stringify({ ...claims, htm: 'POST' })).toString('base64url');
    expect(verifiedProofPayload(`${h}.${other}.${s}`, 'ES256', key, now)).toBeNull();
    const flipped = Buffer.from(s!, 'base64url');
    flipped[5] = flipped[5]! ^ 1;
    expect(verifiedProofPayload(`${h}.${p}.${flipped.toString('base64url')}`, 'ES256', key, now)).toBeNull();
    expect(verifiedProofPayload(`${h}.${p}.`, 'ES256', key, now)).toBeNull();
    expect(verifiedProofPayload(`${h}.${p}`, 'ES256', key, now)).toBeNull();
    expect(verifiedProofPayload(`${jws}.x`, 'ES256', key, now)).toBeNull();
    expect(verifiedProofPayload(`${h}.${p}.${s}!`, 'ES256', key, now)).toBeNull();
    expect(verifiedProofPayload(jws, 'ES256', importProofKey(pair('ES256').jwk, 'ES256'), now)).toBeNull();
  });

  it('refuses a header that names another algorithm than the one checked, or an extension (crit, b64)', async () => {
    const { jws, jwk } = await proof('ES256');
    expect(verifiedProofPayload(jws, 'ES384', importProofKey(jwk, 'ES256'), now)).toBeNull();
    for (const extra of [{ crit: ['x'], x: 1 }, { b64: true }]) {
      const { jws: made, key } = handMade(extra, JSON.stringify(claims));
      expect(verifiedProofPayload(made, 'ES256', key, now)).toBeNull();
    }
    // The same proof without the extension verifies: the refusal is the extension's.
    const { jws: plain, key } = handMade({}, JSON.stringify(claims));
    expect(verifiedProofPayload(plain, 'ES256', key, now)).toEqual(claims);
  });

  it('refuses a key that does not fit the algorithm: another curve, another type, RSA under 2048 bits, a private or symmetric key', () => {
    expect(() => importProofKey(pair('ES384').jwk, 'ES256')).toThrow();
    expect(() => importProofKey(pair('ES256').jwk, 'ES384')).toThrow();
    expect(() => importProofKey(pair('ES256').jwk, 'RS256')).toThrow();
    expect(() => importProofKey(pair('RS256').jwk, 'EdDSA')).toThrow();
    const small = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    expect(() => importProofKey(small, 'RS256')).toThrow();
    expect(() => importProofKey({ kty: 'oct', k: 'c2VjcmV0' }, 'ES256')).toThrow();
  });

  it('refuses an expired proof (exp) and one not valid yet (nbf), and a payload that is not an object', async () => {
    for (const payload of [
      { ...claims, exp: now - 1 },
      { ...claims, exp: 'later' },
      { ...claims, nbf: now + 60 },
    ]) {
      const { jws, jwk } = await proof('ES256', payload);
      expect(verifiedProofPayload(jws, 'ES256', importProofKey(jwk, 'ES256'), now)).toBeNull();
    }
    const { jws, jwk } = await proof('ES256', { ...claims, exp: now + 60, nbf: now - 1 });
    expect(verifiedProofPayload(jws, 'ES256', importProofKey(jwk, 'ES256'), now)).not.toBeNull();
    expect(readProof('not-a-jws')).toBeNull();
    expect(readProof(`${Buffer.from('[1]').toString('base64url')}.e30.x`)).toBeNull();
    // A payload that is valid JSON and correctly signed, but not an object.
    const list = handMade({}, '[1]');
    expect(verifiedProofPayload(list.jws, 'ES256', list.key, now)).toBeNull();
  });
});
