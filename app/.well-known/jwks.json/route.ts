// GET /.well-known/jwks.json: the authorization server's public signing keys (RFC 7517, RFC 8414 jwks_uri).
import { handleJwks } from '@/lib/endpoints/well-known/jwks';

export const dynamic = 'force-dynamic';

export const GET = handleJwks;
