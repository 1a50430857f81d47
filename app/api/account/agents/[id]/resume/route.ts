// POST /api/account/agents/{id}/resume: see lib/agents/control-agent-access.ts.
import { handleAgentControl } from '@/lib/endpoints/account/agents';

export const dynamic = 'force-dynamic';

export const POST = handleAgentControl('resume');
