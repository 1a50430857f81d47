// RFC 8414 authorization server metadata. It advertises only what works today: each capability
// adds itself here when it lands (authorization endpoint, PKCE, PAR, CIMD, DPoP, ...).
import 'server-only';
import { getConfig } from '@/lib/config/config';
import { supportedGrantTypes } from '@/lib/oauth/grants/registry';
import { SUPPORTED_SCOPES } from '@/lib/oauth/scopes';

export function authorizationServerMetadata() {
  const { issuer, registration } = getConfig();
  const clientAuth = ['client_secret_basic', 'client_secret_post'];
  return {
    issuer,
    token_endpoint: `${issuer}/oauth/token`,
    ...(registration.mode !== 'off' ? { registration_endpoint: `${issuer}/oauth/register` } : {}),
    revocation_endpoint: `${issuer}/oauth/revoke`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    scopes_supported: SUPPORTED_SCOPES,
    // REQUIRED by §2; empty until the authorization endpoint exists.
    response_types_supported: [] as string[],
    grant_types_supported: supportedGrantTypes(),
    token_endpoint_auth_methods_supported: clientAuth,
    revocation_endpoint_auth_methods_supported: clientAuth,
    introspection_endpoint_auth_methods_supported: clientAuth,
  };
}

// GET /.well-known/oauth-authorization-server: public, cacheable briefly, readable cross-origin
// (browser-based agents discover the server too).
export function handleMetadata(): Response {
  return Response.json(authorizationServerMetadata(), {
    headers: { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' },
  });
}
