// POST /api/account/agents/{id}/narrow-scopes: limit the agent's policy to the scopes it used.
import { handleNarrowScopes } from '@/lib/endpoints/account/agents';

export const dynamic = 'force-dynamic';

export const POST = handleNarrowScopes;
