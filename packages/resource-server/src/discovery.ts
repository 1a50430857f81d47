// Discovery from the issuer (RFC 8414 §3): the authorization server's metadata names the
// introspection endpoint (RFC 7662), the JWKS (for JWT access tokens, RFC 9068), the backchannel
// authentication endpoint (OpenID CIBA, for approval_required) and, where Leash serves them, the
// AuthZEN PDP and the Shared Signals configuration. Fetched once and kept; a failed fetch is not
// kept, so the next request tries again.

export type AuthorizationServerMetadata = {
  issuer: string;
  introspection_endpoint?: string;
  jwks_uri?: string;
  backchannel_authentication_endpoint?: string;
  dpop_signing_alg_values_supported?: string[];
  [key: string]: unknown;
};

export class DiscoveryFailed extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DiscoveryFailed';
  }
}

export function createDiscovery(issuer: string, fetchImpl: typeof fetch, timeoutMs: number) {
  let pending: Promise<AuthorizationServerMetadata> | undefined;
  const load = async (): Promise<AuthorizationServerMetadata> => {
    // RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path.
    const url = new URL(issuer);
    const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
    const response = await fetchImpl(`${url.origin}/.well-known/oauth-authorization-server${path}`, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: 'application/json' } });
    if (!response.ok) throw new DiscoveryFailed(`authorization server metadata: HTTP ${response.status}`);
    const metadata = (await response.json()) as AuthorizationServerMetadata;
    // RFC 8414 §3.3: the issuer in the document must be the one we asked, else it is not used.
    if (metadata?.issuer !== issuer) throw new DiscoveryFailed(`authorization server metadata names issuer ${String(metadata?.issuer)}, expected ${issuer}`);
    return metadata;
  };
  return (): Promise<AuthorizationServerMetadata> => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error instanceof DiscoveryFailed ? error : new DiscoveryFailed('authorization server metadata could not be fetched', { cause: error });
    });
    return pending;
  };
}
