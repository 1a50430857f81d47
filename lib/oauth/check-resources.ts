// RFC 8707 §2: a resource indicator is an absolute URI without a fragment, and the server refuses
// resources it does not know with `invalid_target`. The known ones are the protected resources in
// the registry (Leash's own API and MCP server, and every API an administrator registered,
// lib/protected-resources/registry.ts). The token's audience is what was asked for, or Leash's own
// API when nothing was.
import 'server-only';
import { OAuthError } from '@/lib/oauth/errors';
import { builtInResourceUri, listProtectedResources } from '@/lib/protected-resources/registry';

export async function checkResources(requested: string[]): Promise<string[]> {
  if (requested.length === 0) return [builtInResourceUri('api')];
  for (const resource of requested) {
    let url: URL | null = null;
    try {
      url = new URL(resource);
    } catch {
      url = null;
    }
    if (!url || resource.includes('#')) {
      throw new OAuthError('invalid_target', 'A resource must be an absolute URI without a fragment.');
    }
  }
  const known = new Set((await listProtectedResources()).map((r) => r.identifier));
  for (const resource of requested) if (!known.has(resource)) throw new OAuthError('invalid_target', `Unknown resource: ${resource}`);
  return [...new Set(requested)];
}
