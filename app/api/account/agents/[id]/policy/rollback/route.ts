// POST /api/account/agents/{id}/policy/rollback: an old version becomes the newest again.
import { handleRollbackPolicy } from '@/lib/endpoints/account/policy';

export const dynamic = 'force-dynamic';

export const POST = handleRollbackPolicy;
