// POST /api/account/tokens/revoke-all {confirm: "revoke everything"}: every token of every agent.
import { handleRevokeEverything } from '@/lib/endpoints/account/agents';

export const dynamic = 'force-dynamic';

export const POST = handleRevokeEverything;
