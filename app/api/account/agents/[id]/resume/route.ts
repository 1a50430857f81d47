// POST /api/account/agents/{id}/resume: see lib/agents/control-agent-access.ts.
import { handleAgentControl } from '@/lib/account/handle-agent-controls';

export const dynamic = 'force-dynamic';

export const POST = handleAgentControl('resume');
