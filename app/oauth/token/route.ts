// POST /oauth/token (RFC 6749 §3.2): the token endpoint.
import { handleToken } from '@/lib/endpoints/oauth/token';

export const dynamic = 'force-dynamic';

export const POST = handleToken;
