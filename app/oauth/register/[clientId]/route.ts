// GET|PUT|DELETE /oauth/register/:client_id (RFC 7592 §2): client configuration endpoint.
import { handleClientConfiguration } from '@/lib/endpoints/oauth/client-configuration';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ clientId: string }> };

async function handler(request: Request, context: Context) {
  return handleClientConfiguration(request, decodeURIComponent((await context.params).clientId));
}

export { handler as GET, handler as PUT, handler as DELETE };
