// Steps 1, 2 and 4 of every agent call: the bearer (or DPoP, RFC 9449) token from the Authorization header only
// (RFC 6750 §2.1; never the query string), looked up by hash; unexpired and unrevoked; meant for
// this resource (RFC 8707 audience); its agent and user not suspended. Refusals are 401 challenges
// pointing at the resource metadata (RFC 9728), each recorded.
import 'server-only';
import { resourceUri, type ResourceName } from '@/lib/resource/challenge';
import { ResourceRefusal } from '@/lib/resource/refusal';
import { verifyDpopProof } from '@/lib/oauth/dpop/verify-dpop-proof';
import { getConfig } from '@/lib/config/config';
import { assertClockTrusted } from '@/lib/clock/trusted-clock';
import { recordRefusal, type CallContext } from '@/lib/resource/call-context';
import { findToken, type FoundToken } from '@/lib/tokens/find-token';
import type { CallAction } from '@/lib/audit/events';

export async function authenticateBearer(
  call: CallContext,
  resource: ResourceName,
  audit: { action: CallAction; scopes: string[] },
  /** The scope a request without a token is told to ask for, when it is not the operation's own (RFC 6750 §3). */
  scopeHint?: string,
): Promise<{ token: FoundToken } | { refused: Response }> {
  const refuse = async (refused: ResourceRefusal, reason: string, token: FoundToken | null) => ({
    refused: await recordRefusal(call, { refused, reason, token, ...audit }),
  });
  // "Unexpired" needs a clock that did not jump: otherwise throw, and the call fails closed (503).
  const firstSample = assertClockTrusted();
  if (firstSample) await firstSample;
  const bearer = { scheme: 'Bearer' as const, resource };
  const header = call.request.headers.get('authorization');
  if (!header) {
    // The operation's own scope, or what the caller names for an endpoint as a whole (/mcp).
    const hint = scopeHint ?? (audit.scopes.length ? audit.scopes.join(' ') : undefined);
    return refuse(new ResourceRefusal('unauthorized', 'A bearer token is required.', { status: 401, challenge: { ...bearer, scopeHint: hint } }), 'no bearer token', null);
  }
  const match = /^(Bearer|DPoP) ([\x21-\x7e]+)$/i.exec(header.trim());
  const scheme = match?.[1]?.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
  const presented = match?.[2];
  if (!presented) {
    return refuse(new ResourceRefusal('invalid_request', 'Malformed Authorization header.', { status: 401, challenge: bearer }), 'malformed Authorization header', null);
  }
  const found = findToken(presented);
  const token = found instanceof Promise ? await found : found;
  const invalid = (description: string, found: FoundToken | null) => refuse(new ResourceRefusal('invalid_token', description, { status: 401, challenge: bearer }), description, found);
  if (!token || token.kind !== 'ACCESS') return invalid('The access token is unknown.', null);
  if (token.revokedAt) return invalid('The access token was revoked.', token);
  if (token.expiresAt <= new Date()) return invalid('The access token has expired.', token);
  if (!token.audience.includes(resourceUri(resource))) return invalid('The access token is not for this resource.', token);
  // RFC 9449 §7: a bound token needs the DPoP scheme and a proof made with its key (with `ath`);
  // sent as a plain bearer token it is refused, since whoever copied it lacks the key.
  if (token.dpopJkt || scheme === 'DPoP') {
    const dpopRefusal = (code: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce', description: string) =>
      refuse(new ResourceRefusal(code, description, { status: 401, challenge: { scheme: 'DPoP', resource } }), description, token);
    if (scheme !== 'DPoP') return dpopRefusal('invalid_token', 'This access token is DPoP-bound: send it with the DPoP scheme and a proof.');
    if (!token.dpopJkt) return dpopRefusal('invalid_token', 'This access token is not DPoP-bound: send it as a Bearer token.');
    const url = `${getConfig().issuer}${new URL(call.request.url).pathname}`;
    const verified = await verifyDpopProof({ headers: call.request.headers, method: call.request.method, url, accessToken: presented });
    if (!verified.ok) return dpopRefusal(verified.failure.error, verified.failure.description);
    if (verified.proof.jkt !== token.dpopJkt) return dpopRefusal('invalid_token', 'The DPoP proof was made with another key than the one this token is bound to.');
  }
  if (token.agent.status !== 'ACTIVE') return invalid('The agent is suspended.', token);
  if (token.grant && token.grant.status !== 'ACTIVE') return invalid('The user suspended or disconnected this agent.', token);
  if (token.user && token.user.status !== 'ACTIVE') return invalid('The user account is suspended.', token);
  return { token };
}
