// GET /api/account/approvals: the signed-in user's pending elevation requests.
import { handleListApprovals } from '@/lib/account/handle-approvals';

export const dynamic = 'force-dynamic';

export const GET = handleListApprovals;
