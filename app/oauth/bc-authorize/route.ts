// POST /oauth/bc-authorize: just-in-time elevation requests (OpenID CIBA Core, poll mode).
import { handleBackchannelAuthentication } from '@/lib/endpoints/oauth/bc-authorize';

export const dynamic = 'force-dynamic';

export const POST = handleBackchannelAuthentication;
