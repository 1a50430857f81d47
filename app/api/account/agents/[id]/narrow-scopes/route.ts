// POST /api/account/agents/{id}/narrow-scopes: limit the agent's policy to the scopes it used.
import { handleNarrowScopes } from '@/lib/account/handle-agent-controls';

export const dynamic = 'force-dynamic';

export const POST = handleNarrowScopes;
