// The life of a signing key (issue 14 §2, and the JWKS cache note that closed issue 3): a rotation
// never leaves a verifier holding a token whose key it cannot find, nor a key set it must refetch.
//
//   rotate ─► NEXT ─────────────────► ACTIVE ───────────────► RETIRING ─────────────────────────► RETIRED
//             published, not signing   published, signing     published, not signing             out of the JWKS
//             for the JWKS max-age     until the next key     until retireAt, and until every
//             (activateAt)             takes over             access token it signed has
//                                                             expired, plus the clock skew
//
// - Before: a verifier that fetched /.well-known/jwks.json just before the rotation keeps that copy
//   for at most its `max-age` (RFC 9111 §5.2.2.1; LEASH_JWKS_MAX_AGE). The new key signs only after
//   that long, so by the time a token carries its `kid`, every verifier's next fetch has it.
// - After: a JWT access token (RFC 9068) names its key in the token row (`signing_key_id`), so the
//   old key stays published exactly while a token it signed can still be presented, whatever the
//   policy's lifetime was (RFC 9068 §4: verifiers check the signature with the AS's published keys).
//   `retireAt` adds a floor for signatures that are not tokens (audit proofs), default 24 h.
// - In between, each instance caches its signer for at most the lead time, so none can still be
//   unaware of the next key when it takes over (lib/keys/ensure-signing-key.ts).
import 'server-only';
import { getConfig } from '@/lib/config/config';

/** How long a NEXT key is published before it signs: the verifiers' cache lifetime (the JWKS max-age). */
export function nextKeyLeadMs(): number {
  return getConfig().jwksMaxAgeSeconds * 1000;
}

/** How long an instance keeps its signer without reading the keys again: at most a minute, at most the lead time. */
export function signerCacheMs(): number {
  return Math.min(60_000, Math.max(1000, nextKeyLeadMs()));
}

/** A retiring key stays this long past the expiry of the last token it signed (clocks of verifiers differ). */
export function retirementSkewMs(): number {
  return getConfig().maxClockSkewMs;
}

/** The least time a replaced key stays published after it stopped signing (audit proofs, other signatures). */
export const DEFAULT_GRACE_SECONDS = 24 * 3600;
