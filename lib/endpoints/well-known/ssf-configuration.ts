// GET /.well-known/ssf-configuration (SSF 1.0 §7.2): the transmitter's metadata (§7.1). Claims with
// no value are omitted (§7.2.3). `authorization_schemes` (§7.1.1): resource servers manage their
// stream with HTTP Basic (RFC 7617), their client_id and secret.
import 'server-only';
import { getConfig } from '@/lib/config/config';
import { PUSH_DELIVERY } from '@/lib/ssf/event-types';

export async function handleSsfConfiguration(_request: Request): Promise<Response> {
  const { issuer } = getConfig();
  return Response.json(
    {
      spec_version: '1_0',
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      delivery_methods_supported: [PUSH_DELIVERY],
      configuration_endpoint: `${issuer}/ssf/stream`,
      status_endpoint: `${issuer}/ssf/status`,
      verification_endpoint: `${issuer}/ssf/verify`,
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:7617' }],
      // Every event about a resource's tokens goes to its stream; no subjects to add or remove.
      default_subjects: 'ALL',
    },
    { headers: { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' } },
  );
}
