// The `WWW-Authenticate` challenges of the resource server's refusals (lib/resource/refusal.ts):
// RFC 6750 §3 bearer challenges, with RFC 9728 §5.1 `resource_metadata` so an agent can discover
// where to get a proper token; RFC 9449 §7.1 DPoP challenges; RFC 9470 §3 step-up.
import 'server-only';
import { getConfig } from '@/lib/config/config';
import { DPOP_ALGS } from '@/lib/oauth/dpop/proof-signature';

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
  error?: { code: string; description: string; scope?: string },
  /** Without an error: the scope to ask for (RFC 6750 §3), so clients do not ask for everything. */
  scopeHint?: string,
): string {
  const parts = [`realm="leash"`, `resource_metadata=${quote(resourceMetadataUrl(resource))}`];
  if (!error && scopeHint) parts.push(`scope=${quote(scopeHint)}`);
  if (error) {
    parts.push(`error=${quote(error.code)}`, `error_description=${quote(error.description)}`);
    if (error.scope) parts.push(`scope=${quote(error.scope)}`);
  }
  return `Bearer ${parts.join(', ')}`;
}

/**
 * RFC 9449 §7.1: the challenge for DPoP-bound access: the `DPoP` scheme with the algorithms this
 * server accepts (the refusal adds a fresh `DPoP-Nonce`, §9, so the client can retry at once).
 */
export function dpopChallenge(resource: ResourceName, error: { code: string; description: string }): string {
  const parts = [
    `realm="leash"`,
    `algs="${DPOP_ALGS.join(' ')}"`,
    `resource_metadata=${quote(resourceMetadataUrl(resource))}`,
    `error=${quote(error.code)}`,
    `error_description=${quote(error.description)}`,
  ];
  return `DPoP ${parts.join(', ')}`;
}

/** RFC 9470 §3: ask for a stronger authentication of the user (the assurance in `acr_values`). */
export function stepUpChallenge(resource: ResourceName, error: { code: string; description: string; acrValues: string }): string {
  return `Bearer realm="leash", error="${error.code}", error_description="${error.description.replace(/"/g, '')}", acr_values="${error.acrValues}", resource_metadata="${resourceMetadataUrl(resource)}"`;
}
