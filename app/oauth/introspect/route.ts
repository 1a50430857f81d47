// POST /oauth/introspect (RFC 7662 §2): token introspection for the token's own client.
import { handleIntrospect } from '@/lib/endpoints/oauth/introspect';

export const dynamic = 'force-dynamic';

export const POST = handleIntrospect;
