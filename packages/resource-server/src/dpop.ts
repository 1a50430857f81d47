// DPoP proofs at the resource server (RFC 9449 §4.3 and §7.1): the checks in the RFC's order, and
// the binding to the access token (`ath`, §4.3 step 12; the key's thumbprint equal to the token's
// `cnf.jkt`, §7.1 / §6.1). Each proof is accepted once (§11.1): its jti stays in a replay cache
// for the window in which its `iat` is acceptable, so a replay inside the window is refused and
// one outside it fails the `iat` check. The cache is per process: behind a load balancer with
// several instances, a proof replayed to another instance inside the window is not caught (a
// shared store, or server nonces, §9, would close that; Leash's own API uses a database table).
import crypto from 'node:crypto';
import * as jose from 'jose';
import type { TtlCache } from './ttl-cache.js';

/** §4.2: asymmetric algorithms only (no `none`, no MACs). The same list Leash's own API accepts. */
export const DPOP_ALGS = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'] as const;

export type DpopCheck = { ok: true; jkt: string } | { ok: false; description: string };

export type DpopOptions = {
  /** Seconds a proof's iat may be away from now (§11.1 asks for a short window). */
  iatWindowSeconds: number;
  replayCache: TtlCache<true>;
};

/** §4.3 step 9: the request URI without query and fragment, compared after normalization (§4.3, RFC 3986 §6). */
function sameHtu(htu: unknown, requestUrl: string): boolean {
  if (typeof htu !== 'string') return false;
  try {
    const a = new URL(htu);
    const b = new URL(requestUrl);
    return a.origin === b.origin && a.pathname === b.pathname;
  } catch {
    return false;
  }
}

export const athOf = (accessToken: string) => crypto.createHash('sha256').update(accessToken).digest('base64url');

export async function verifyDpopProof(proof: string | null, request: { method: string; url: string; accessToken: string; expectedJkt: string | undefined }, options: DpopOptions): Promise<DpopCheck> {
  const fail = (description: string): DpopCheck => ({ ok: false, description });
  // §4.3 steps 1-2: exactly one DPoP header, a well-formed JWT.
  if (!proof) return fail('A DPoP proof is required.');
  if (proof.includes(',')) return fail('Send exactly one DPoP header.');
  let header: jose.ProtectedHeaderParameters;
  let payload: jose.JWTPayload;
  try {
    header = jose.decodeProtectedHeader(proof);
    // Steps 4-5: typ dpop+jwt, an accepted asymmetric algorithm.
    if (header.typ !== 'dpop+jwt') return fail('The proof must have typ "dpop+jwt".');
    if (!DPOP_ALGS.includes(header.alg as (typeof DPOP_ALGS)[number])) return fail(`Unsupported proof algorithm; use one of ${DPOP_ALGS.join(', ')}.`);
    const jwk = header.jwk as jose.JWK | undefined;
    if (!jwk || typeof jwk !== 'object') return fail('The proof header must carry the public key (jwk).');
    // Step 7: a private key in the header is refused outright.
    if ('d' in jwk || 'p' in jwk || 'q' in jwk || 'k' in jwk) return fail('The proof header must carry a public key only.');
    // Step 6: the signature verifies with that key.
    ({ payload } = await jose.jwtVerify(proof, jose.EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...DPOP_ALGS] }));
  } catch {
    return fail('The DPoP proof is malformed or its signature does not verify.');
  }
  // Step 3: the claims; step 8: htm; step 9: htu; step 11: iat within the window.
  if (typeof payload.jti !== 'string' || !payload.jti || payload.jti.length > 256) return fail('The proof needs a jti.');
  if (payload.htm !== request.method) return fail('The proof was made for another HTTP method (htm).');
  if (!sameHtu(payload.htu, request.url)) return fail('The proof was made for another URL (htu).');
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > options.iatWindowSeconds) return fail('The proof is too old or from the future (iat).');
  // Step 12: bound to this access token.
  if (payload.ath !== athOf(request.accessToken)) return fail('The proof is not bound to this access token (ath).');
  const jkt = await jose.calculateJwkThumbprint(header.jwk as jose.JWK, 'sha256');
  // §7.1: the key is the one the token is bound to.
  if (request.expectedJkt !== undefined && jkt !== request.expectedJkt) return { ok: false, description: 'The DPoP proof was made with another key than the one this token is bound to.' };
  // §11.1: one use per proof, remembered until its iat leaves the window.
  const replayKey = `${jkt}\0${payload.jti}`;
  if (options.replayCache.has(replayKey)) return fail('This DPoP proof was already used.');
  // A full cache refuses new proofs rather than forget live ones (fail closed).
  if (!options.replayCache.trySet(replayKey, true, (payload.iat + options.iatWindowSeconds + 5) * 1000)) return fail('Too many DPoP proofs at once: try again in a minute.');
  return { ok: true, jkt };
}
