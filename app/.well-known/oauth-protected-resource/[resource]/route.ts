// GET /.well-known/oauth-protected-resource/{api|mcp|<registered id>} (RFC 9728 §3): protected resource metadata.
import { handleResourceMetadata } from '@/lib/endpoints/well-known/oauth-protected-resource';

export const dynamic = 'force-dynamic';

export async function GET(_request: Request, context: { params: Promise<{ resource: string }> }) {
  return handleResourceMetadata((await context.params).resource);
}
