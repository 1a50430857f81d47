// GET /.well-known/oauth-authorization-server (RFC 8414 §3): authorization server metadata.
import { handleMetadata } from '@/lib/endpoints/well-known/oauth-authorization-server';

export const dynamic = 'force-dynamic';

export const GET = handleMetadata;
