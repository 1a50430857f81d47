// GET /oauth/authorize (RFC 6749 §4.1.1): the authorization endpoint.
import { handleAuthorize } from '@/lib/oauth/handle-authorize';

export const dynamic = 'force-dynamic';

export const GET = handleAuthorize;
