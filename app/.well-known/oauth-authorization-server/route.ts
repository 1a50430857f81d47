// GET /.well-known/oauth-authorization-server (RFC 8414 §3): authorization server metadata.
import { handleMetadata } from '@/lib/oauth/metadata';

export const dynamic = 'force-dynamic';

export const GET = handleMetadata;
