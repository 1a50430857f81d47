// POST /api/account/tokens/revoke-all {confirm: "revoke everything"}: every token of every agent.
import { handleRevokeEverything } from '@/lib/account/handle-agent-controls';

export const dynamic = 'force-dynamic';

export const POST = handleRevokeEverything;
