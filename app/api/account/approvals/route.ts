// GET /api/account/approvals: the signed-in user's pending elevation requests.
import { handleListApprovals } from '@/lib/endpoints/account/approvals';

export const dynamic = 'force-dynamic';

export const GET = handleListApprovals;
