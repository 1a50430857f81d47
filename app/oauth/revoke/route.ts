// POST /oauth/revoke (RFC 7009 §2.1): token revocation.
import { handleRevoke } from '@/lib/endpoints/oauth/revoke';

export const dynamic = 'force-dynamic';

export const POST = handleRevoke;
