// The resource server's answers when it refuses a request: RFC 6750 §3 bearer challenges, with
// RFC 9728 §5.1 `resource_metadata` so an agent can discover where to get a proper token.
import 'server-only';
import { getConfig } from '@/lib/config/config';
import { currentDpopNonce, DPOP_ALGS } from '@/lib/oauth/dpop/verify-dpop-proof';

export type ResourceName = 'api' | 'mcp';

export function resourceUri(resource: ResourceName): string {
  return `${getConfig().issuer}/${resource}`;
}

export function resourceMetadataUrl(resource: ResourceName): string {
  return `${getConfig().issuer}/.well-known/oauth-protected-resource/${resource}`;
}

const quote = (v: string) => `"${v.replace(/["\\]/g, '')}"`;

export function bearerChallenge(
  resource: ResourceName,
  status: 401 | 403,
  error?: { code: 'invalid_token' | 'insufficient_scope' | 'invalid_request'; description: string; scope?: string },
  /** Without an error: the scope to ask for (RFC 6750 §3), so clients do not ask for everything. */
  scopeHint?: string,
): Response {
  const parts = [`realm="leash"`, `resource_metadata=${quote(resourceMetadataUrl(resource))}`];
  if (!error && scopeHint) parts.push(`scope=${quote(scopeHint)}`);
  if (error) {
    parts.push(`error=${quote(error.code)}`, `error_description=${quote(error.description)}`);
    if (error.scope) parts.push(`scope=${quote(error.scope)}`);
  }
  return Response.json(
    error ? { error: error.code, error_description: error.description, ...(error.scope ? { scope: error.scope } : {}) } : { error: 'unauthorized', error_description: 'A bearer token is required.' },
    { status, headers: { 'WWW-Authenticate': `Bearer ${parts.join(', ')}`, 'Cache-Control': 'no-store' } },
  );
}

/**
 * RFC 9449 §7.1: the challenge for DPoP-bound access: the `DPoP` scheme with the algorithms this
 * server accepts, and a fresh `DPoP-Nonce` (§9) so the client can retry at once.
 */
export function dpopChallenge(
  resource: ResourceName,
  error: { code: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce'; description: string },
): Response {
  const parts = [
    `realm="leash"`,
    `algs="${DPOP_ALGS.join(' ')}"`,
    `resource_metadata=${quote(resourceMetadataUrl(resource))}`,
    `error=${quote(error.code)}`,
    `error_description=${quote(error.description)}`,
  ];
  return Response.json(
    { error: error.code, error_description: error.description },
    { status: 401, headers: { 'WWW-Authenticate': `DPoP ${parts.join(', ')}`, 'DPoP-Nonce': currentDpopNonce(), 'Cache-Control': 'no-store' } },
  );
}
