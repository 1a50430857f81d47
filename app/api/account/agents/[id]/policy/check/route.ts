// POST /api/account/agents/{id}/policy/check: compile, validate and simulate a draft policy.
import { handleCheckPolicy } from '@/lib/endpoints/account/policy';

export const dynamic = 'force-dynamic';

export const POST = handleCheckPolicy;
