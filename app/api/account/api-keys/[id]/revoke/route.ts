// POST /api/account/api-keys/{id}/revoke: revoke the key and the tokens exchanged for it. See lib/endpoints/account/api-keys.ts.
import { handleRevokeApiKey } from '@/lib/endpoints/account/api-keys';

export const dynamic = 'force-dynamic';

export const POST = handleRevokeApiKey;
