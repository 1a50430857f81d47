// RFC 8707 §2: a resource indicator is an absolute URI without a fragment, and the server refuses
// resources it does not know with `invalid_target`. The known ones are the protected resources in
// the registry (Leash's own API and MCP server, and every API an administrator registered,
// lib/protected-resources/registry.ts). The token's audience is what was asked for, or Leash's own
// API when nothing was.
import 'server-only';
import { OAuthError } from '@/lib/oauth/errors';
import { builtInResourceUri, listProtectedResources } from '@/lib/protected-resources/registry';

export function checkResources(requested: string[]): string[] | Promise<string[]> {
  // Nothing requested (most token requests): Leash's own API, without a promise.
  if (requested.length === 0) return [builtInResourceUri('api')];
  return checkRequested(requested);
}

async function checkRequested(requested: string[]): Promise<string[]> {
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
