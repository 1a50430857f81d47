// The DPoP proof sent to an authorization server endpoint (token, backchannel authentication).
import 'server-only';
import { getConfig } from '@/lib/config/config';
import { currentDpopNonce, verifyDpopProof, type DpopProof } from '@/lib/oauth/dpop/verify-dpop-proof';
import { OAuthError } from '@/lib/oauth/errors';
import type { MachineRequest } from '@/lib/http/machine-request';

/** RFC 9449 §5: a DPoP header at an authorization server endpoint must be a valid proof for this request. */
export function readDpopProof(request: MachineRequest): Promise<DpopProof> | null {
  // No DPoP header: nothing to verify, answered without a promise (the common case on the token endpoint).
  if (!request.headers.has('dpop')) return null;
  return verifiedProof(request);
}

async function verifiedProof(request: MachineRequest): Promise<DpopProof> {
  const url = `${getConfig().issuer}${new URL(request.url).pathname}`;
  const verified = await verifyDpopProof({ headers: request.headers, method: request.method, url });
  if (verified.ok) return verified.proof;
  // §8: a missing or stale nonce is answered with a fresh one to retry with.
  throw new OAuthError(verified.failure.error, verified.failure.description, { headers: { 'DPoP-Nonce': currentDpopNonce() } });
}
