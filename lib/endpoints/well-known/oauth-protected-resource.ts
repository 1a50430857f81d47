// GET /.well-known/oauth-protected-resource/{api|mcp} (RFC 9728 §3): what an agent needs to find
// the authorization server for a resource and the scopes it understands.
import 'server-only';
import { getConfig } from '@/lib/config/config';
import { resourceUri, type ResourceName } from '@/lib/resource/challenge';
import { SUPPORTED_SCOPES } from '@/lib/scopes/scopes';
import { DPOP_ALGS } from '@/lib/oauth/dpop/verify-dpop-proof';

const NAMES: Record<ResourceName, string> = { api: 'Leash workspace API', mcp: 'Leash MCP server' };

export function handleResourceMetadata(resource: string): Response {
  if (resource !== 'api' && resource !== 'mcp') {
    return Response.json({ error: 'not_found' }, { status: 404, headers: { 'Cache-Control': 'no-store' } });
  }
  return Response.json(
    {
      resource: resourceUri(resource),
      authorization_servers: [getConfig().issuer],
      scopes_supported: SUPPORTED_SCOPES.filter((s) => s !== 'offline_access'),
      bearer_methods_supported: ['header'],
      // RFC 9728 §2 / RFC 9449: DPoP-bound tokens are accepted (and required where a policy says so).
      dpop_signing_alg_values_supported: [...DPOP_ALGS],
      resource_name: NAMES[resource],
    },
    { headers: { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' } },
  );
}
