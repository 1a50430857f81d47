// POST /api/account/agents/{id}/policy: save the next version of the agent's policy.
import { handleSavePolicy } from '@/lib/endpoints/account/policy';

export const dynamic = 'force-dynamic';

export const POST = handleSavePolicy;
