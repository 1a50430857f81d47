// GET /.well-known/jwks.json (RFC 7517, RFC 8414 jwks_uri): the public signing keys. Creates the
// first key if there is none yet; fails closed (503) when the database is unreachable. Verifiers may
// cache it for LEASH_JWKS_MAX_AGE, exactly as long as a rotated-in key is published before it signs
// (lib/keys/key-timeline.ts).
import 'server-only';
import { ensureSigningKey } from '@/lib/keys/ensure-signing-key';
import { listPublishedKeys } from '@/lib/keys/list-published-keys';
import { getConfig } from '@/lib/config/config';
import { log } from '@/lib/log/logger';

export async function handleJwks(_request: Request): Promise<Response> {
  try {
    await ensureSigningKey();
    const keys = await listPublishedKeys();
    return Response.json({ keys }, { headers: { 'Cache-Control': `public, max-age=${getConfig().jwksMaxAgeSeconds}`, 'Access-Control-Allow-Origin': '*' } });
  } catch (error) {
    log('jwks').error({ err: error }, 'failed');
    return Response.json({ error: 'server_error', error_description: 'The key set is temporarily unavailable.' }, { status: 503, headers: { 'Cache-Control': 'no-store' } });
  }
}
