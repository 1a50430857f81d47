// GET /.well-known/oauth-protected-resource/{api|mcp|<id>} (RFC 9728 §3): what an agent needs to
// find the authorization server for a resource and the scopes it understands.
// - `api` and `mcp`: Leash's own resources; their identifiers are `${issuer}/api` and `${issuer}/mcp`,
//   so this is exactly the URL RFC 9728 §3.1 derives from them.
// - `<id>` (a registered API's id): the document for an API hosted elsewhere. RFC 9728 §3.3 has a
//   client check that `resource` equals the identifier it derived the URL from, so agents must get
//   it from the API's own host: the resource-server kit (packages/) fetches this document and
//   serves it there, at the API's own well-known URL, unchanged.
import 'server-only';
import { getConfig } from '@/lib/config/config';
import { DPOP_ALGS } from '@/lib/oauth/dpop/proof-signature';
import { findProtectedResourceById, listProtectedResources, type ProtectedResourceRecord } from '@/lib/protected-resources/registry';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function find(path: string): Promise<ProtectedResourceRecord | null> {
  if (path === 'api' || path === 'mcp') return (await listProtectedResources()).find((r) => r.slug === path) ?? null;
  return UUID.test(path) ? findProtectedResourceById(path) : null;
}

/** The RFC 9728 §2 document of one protected resource. */
export function resourceMetadataDocument(resource: ProtectedResourceRecord) {
  return {
    resource: resource.identifier,
    authorization_servers: [getConfig().issuer],
    scopes_supported: resource.scopes.map((s) => s.name),
    bearer_methods_supported: ['header'],
    // RFC 9728 §2 / RFC 9449: DPoP-bound tokens are accepted (and required where a policy says so).
    dpop_signing_alg_values_supported: [...DPOP_ALGS],
    resource_name: resource.name,
  };
}

export async function handleResourceMetadata(path: string): Promise<Response> {
  const resource = await find(path);
  if (!resource) return Response.json({ error: 'not_found' }, { status: 404, headers: { 'Cache-Control': 'no-store' } });
  return Response.json(resourceMetadataDocument(resource), {
    headers: { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' },
  });
}
