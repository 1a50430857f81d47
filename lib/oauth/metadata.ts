// RFC 8414 authorization server metadata. It advertises only what works today: each capability
// adds itself here when it lands (authorization endpoint, PKCE, PAR, CIMD, DPoP, ...).
import 'server-only';
import { getConfig } from '@/lib/config/config';
import { supportedGrantTypes } from '@/lib/oauth/grants/registry';
import { SUPPORTED_SCOPES } from '@/lib/scopes/scopes';
import { DPOP_ALGS } from '@/lib/oauth/dpop/proof-signature';
import { type RegistrationMode } from '@/lib/settings/deployment-settings';

export function authorizationServerMetadata(registration: RegistrationMode) {
  const { issuer } = getConfig();
  const clientAuth = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    ...(registration !== 'off' ? { registration_endpoint: `${issuer}/oauth/register` } : {}),
    pushed_authorization_request_endpoint: `${issuer}/oauth/par`,
    device_authorization_endpoint: `${issuer}/oauth/device_authorization`,
    // OpenID CIBA Core §4: just-in-time elevation, poll mode only.
    backchannel_authentication_endpoint: `${issuer}/oauth/bc-authorize`,
    backchannel_token_delivery_modes_supported: ['poll'],
    backchannel_user_code_parameter_supported: false,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    scopes_supported: SUPPORTED_SCOPES,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: supportedGrantTypes(),
    // PKCE is required for every client, with S256 only (OAuth 2.1 §4.1.1, RFC 9700 §2.1.1).
    code_challenge_methods_supported: ['S256'],
    // RFC 9449 §5.1: DPoP proofs accepted at the token endpoint.
    dpop_signing_alg_values_supported: [...DPOP_ALGS],
    // Agents may use an https URL naming their metadata document as client_id.
    client_id_metadata_document_supported: true,
    // RFC 9207: every authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
    token_endpoint_auth_methods_supported: [...clientAuth, 'none'],
    token_endpoint_auth_signing_alg_values_supported: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'],
    revocation_endpoint_auth_methods_supported: clientAuth,
    introspection_endpoint_auth_methods_supported: clientAuth,
  };
}
