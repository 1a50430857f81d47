// GET /api/account/agents: the agents connected to the signed-in user (Agents screen).
import { handleListAgents } from '@/lib/endpoints/account/agents';

export const dynamic = 'force-dynamic';

export const GET = handleListAgents;
