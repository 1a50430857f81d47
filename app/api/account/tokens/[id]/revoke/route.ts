// POST /api/account/tokens/{id}/revoke: the user revokes one of their agents' tokens.
import { handleRevokeToken } from '@/lib/endpoints/account/agents';

export const dynamic = 'force-dynamic';

export const POST = handleRevokeToken;
