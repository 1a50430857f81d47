import 'server-only';
import { getConfig } from '@/lib/config/config';
import { authorizationServerMetadata } from '@/lib/oauth/metadata';
import { registrationMode } from '@/lib/settings/deployment-settings';

// GET /.well-known/oauth-authorization-server: public, cacheable briefly, readable cross-origin
// (browser-based agents discover the server too).
export async function handleMetadata(): Promise<Response> {
  // Without the database the environment's default is advertised; /oauth/register still decides.
  const registration = await registrationMode().catch(() => getConfig().registration.mode);
  return Response.json(authorizationServerMetadata(registration), {
    headers: { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' },
  });
}
