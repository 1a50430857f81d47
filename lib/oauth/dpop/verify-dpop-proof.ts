// DPoP proofs (RFC 9449): the checks of §4.3, in its order, shared by the token endpoint and the
// resource server. A proof is a JWT the client signs with a key whose public half is in its header;
// tokens issued against it are bound to that key's thumbprint (`cnf.jkt`, §6.1), so a stolen
// token is useless without the private key. Server nonces (§8, §9) are stateless: an HMAC of a
// five-minute window, so every instance accepts every other's. Each proof is accepted once: its
// jti goes into a replay store in PostgreSQL (§11.1), whose primary key decides under concurrency.
import 'server-only';
import crypto from 'node:crypto';
import * as jose from 'jose';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { claimProofId } from '@/lib/oauth/dpop/claim-proof-ids';
import { DPOP_ALGS, importProofKey, readProof, verifiedProofPayload, type ProofAlg } from '@/lib/oauth/dpop/proof-signature';

const IAT_WINDOW_SECONDS = 60;
const NONCE_WINDOW_MS = 5 * 60_000;

export type DpopFailure = { error: 'invalid_dpop_proof' | 'use_dpop_nonce'; description: string };
export type DpopProof = { jkt: string };

// A window's nonce is an HMAC worked out once (every proof checks two windows).
const noncesByWindow = new Map<number, string>();

function nonceFor(window: number): string {
  let nonce = noncesByWindow.get(window);
  if (!nonce) {
    nonce = crypto.createHmac('sha256', getConfig().sessionSecret).update(`dpop-nonce:${window}`).digest('base64url');
    if (noncesByWindow.size >= 4) noncesByWindow.clear();
    noncesByWindow.set(window, nonce);
  }
  return nonce;
}

/** The nonce to hand out now (`DPoP-Nonce` header). */
export function currentDpopNonce(now = Date.now()): string {
  return nonceFor(Math.floor(now / NONCE_WINDOW_MS));
}

function isFreshNonce(nonce: unknown, now = Date.now()): boolean {
  if (typeof nonce !== 'string') return false;
  const window = Math.floor(now / NONCE_WINDOW_MS);
  return [window, window - 1].some((w) => {
    const expected = Buffer.from(nonceFor(w));
    const given = Buffer.from(nonce);
    return expected.length === given.length && crypto.timingSafeEqual(expected, given);
  });
}

/** §4.3 step 9: the request URI without query and fragment, compared normalized. */
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

// The public key in a proof's header, imported once per key (importing costs more than verifying),
// with its RFC 7638 thumbprint (an asynchronous digest: worked out once per key too).
const importedKeys = new Map<string, { key: crypto.KeyObject; jkt: Promise<string> }>();

function importedKey(alg: ProofAlg, jwk: jose.JWK): { key: crypto.KeyObject; jkt: Promise<string> } {
  const cacheKey = `${alg}:${JSON.stringify(jwk)}`;
  let found = importedKeys.get(cacheKey);
  if (!found) {
    // §4.3 step 7: only an asymmetric public key of the algorithm's type verifies.
    const key = importProofKey(jwk as crypto.JsonWebKey, alg);
    const jkt = jose.calculateJwkThumbprint(jwk, 'sha256');
    jkt.catch(() => {}); // awaited by the proof that gets that far; never an unhandled rejection
    found = { key, jkt };
    if (importedKeys.size >= 10_000) importedKeys.clear();
    importedKeys.set(cacheKey, found);
  }
  return found;
}

export async function verifyDpopProof(options: {
  /** The DPoP header values (§4.3 step 1: exactly one). */
  headers: Headers;
  method: string;
  /** The URL the client addressed (the issuer's origin, not the one behind a proxy). */
  url: string;
  /** At the resource server: the access token the proof must be bound to (`ath`, §4.3 step 12). */
  accessToken?: string;
}): Promise<{ ok: true; proof: DpopProof } | { ok: false; failure: DpopFailure }> {
  const fail = (description: string, error: DpopFailure['error'] = 'invalid_dpop_proof') => ({ ok: false as const, failure: { error, description } });
  const values = options.headers.get('dpop');
  if (!values) return fail('A DPoP proof is required.');
  if (values.includes(',')) return fail('Send exactly one DPoP header.');

  // §4.3 steps 2–8: one well-formed JWT, typ, an asymmetric algorithm, the public key in the
  // header, the signature (lib/oauth/dpop/proof-signature.ts).
  const proof = readProof(values);
  if (!proof) return fail('The DPoP proof is malformed or its signature does not verify.');
  const { header } = proof;
  if (header.typ !== 'dpop+jwt') return fail('The proof must have typ "dpop+jwt".');
  const alg = header.alg as ProofAlg;
  if (!DPOP_ALGS.includes(alg)) return fail(`Unsupported proof algorithm; use one of ${DPOP_ALGS.join(', ')}.`);
  const jwk = header.jwk as jose.JWK | undefined;
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) return fail('The proof header must carry the public key (jwk).');
  // §4.3 step 7: a private key in the header is refused outright.
  if ('d' in jwk || 'p' in jwk || 'q' in jwk || 'k' in jwk) return fail('The proof header must carry a public key only.');
  const now = Math.floor(Date.now() / 1000);
  let key: { key: crypto.KeyObject; jkt: Promise<string> };
  try {
    key = importedKey(alg, jwk);
  } catch {
    return fail('The DPoP proof is malformed or its signature does not verify.');
  }
  const payload = verifiedProofPayload(proof, alg, key.key, now);
  if (!payload) return fail('The DPoP proof is malformed or its signature does not verify.');
  if (typeof payload.jti !== 'string' || !payload.jti || payload.jti.length > 256) return fail('The proof needs a jti.');
  if (payload.htm !== options.method) return fail('The proof was made for another HTTP method (htm).');
  if (!sameHtu(payload.htu, options.url)) return fail('The proof was made for another URL (htu).');
  if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > IAT_WINDOW_SECONDS) return fail('The proof is too old or from the future (iat).');
  // §8 / §9: this server requires its own recent nonce in every proof.
  if (!isFreshNonce(payload.nonce)) return fail('Use the DPoP-Nonce this server provides.', 'use_dpop_nonce');
  if (options.accessToken !== undefined) {
    const ath = crypto.hash('sha256', options.accessToken, 'base64url');
    if (payload.ath !== ath) return fail('The proof is not bound to this access token (ath).');
  }
  const jkt = await key.jkt;
  // §11.1: one use per proof. The window bounds how long the jti must be remembered.
  const id = crypto.hash('sha256', `${jkt}\0${payload.jti}`, 'hex');
  if (!(await claimProofId(id, new Date((payload.iat + IAT_WINDOW_SECONDS + 5) * 1000)))) return fail('This DPoP proof was already used.');
  return { ok: true, proof: { jkt } };
}

/** Sweeps proofs past their window (called now and then; the table stays small). */
export async function sweepUsedDpopProofs(): Promise<void> {
  await db().usedDpopProof.deleteMany({ where: { expiresAt: { lt: new Date() } } });
}
