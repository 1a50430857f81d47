// GET /oauth/authorize (RFC 6749 §4.1.1): the authorization endpoint.
import { handleAuthorize } from '@/lib/endpoints/oauth/authorize';

export const dynamic = 'force-dynamic';

export const GET = handleAuthorize;
