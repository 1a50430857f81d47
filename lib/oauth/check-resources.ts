// RFC 8707 §2: a resource indicator is an absolute URI without a fragment, and the server refuses
// resources it does not know with `invalid_target`. The token's audience is what was asked for, or
// the agents' API when nothing was.
import 'server-only';
import { OAuthError } from '@/lib/oauth/errors';
import { defaultResource, knownResources } from '@/lib/oauth/resources';

export function checkResources(requested: string[]): string[] {
  if (requested.length === 0) return [defaultResource()];
  const known = new Set(knownResources());
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
    if (!known.has(resource)) throw new OAuthError('invalid_target', `Unknown resource: ${resource}`);
  }
  return [...new Set(requested)];
}
