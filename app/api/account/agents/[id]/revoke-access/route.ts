// POST /api/account/agents/{id}/revoke-access: see lib/agents/control-agent-access.ts.
import { handleAgentControl } from '@/lib/account/handle-agent-controls';

export const dynamic = 'force-dynamic';

export const POST = handleAgentControl('revoke-access');
