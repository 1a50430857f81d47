// POST /api/account/api-keys/{id}/rotate: a new key like this one (shown once); this one is revoked. See lib/endpoints/account/api-keys.ts.
import { handleRotateApiKey } from '@/lib/endpoints/account/api-keys';

export const dynamic = 'force-dynamic';

export const POST = handleRotateApiKey;
