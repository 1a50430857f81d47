// Which form an access token takes (issue 14 §2): an RFC 9068 JWT when its one audience is a
// protected resource registered with tokenFormat `jwt`, else opaque (Leash's own /api and /mcp,
// several audiences, or none). The same answer as resourceTokenFormat in
// lib/protected-resources/registry.ts, read here from the table itself because that folder imports
// this one (revoking a removed resource's tokens): the import graph stays acyclic. Cached like the
// registry, and dropped with it when any resource row changes (the `resource:protected-resources`
// notification of migration protected_resources).
import 'server-only';
import { db } from '@/lib/db/client';
import { cached } from '@/lib/cache/hot-cache';
import type { Prisma } from '@/lib/generated/prisma/client';

/** The id the registry's cache entries depend on (its trigger's notification). */
const RESOURCES_CHANGED = 'protected-resources';

export type AccessTokenFormat = 'opaque' | 'jwt';

/** `q`: read through the caller's transaction when inside one (no second connection while it holds one). */
export function accessTokenFormat(audience: readonly string[], q?: Pick<Prisma.TransactionClient, 'protectedResource'>): AccessTokenFormat | Promise<AccessTokenFormat> {
  if (audience.length !== 1) return 'opaque';
  // A cached answer without a promise (every issuance asks).
  const found = cached(
    'resource-token-format',
    audience[0]!,
    async () => {
      const row = await (q ?? db()).protectedResource.findUnique({ where: { identifier: audience[0]! }, select: { tokenFormat: true } });
      return { format: row?.tokenFormat === 'JWT' ? ('jwt' as const) : ('opaque' as const) };
    },
    () => [RESOURCES_CHANGED],
  );
  return found instanceof Promise ? found.then((f) => f?.format ?? 'opaque') : (found?.format ?? 'opaque');
}
