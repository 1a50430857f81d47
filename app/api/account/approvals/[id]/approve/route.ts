// POST /api/account/approvals/{id}/approve: approve (needs a multi-factor session).
import { handleDecideApproval } from '@/lib/account/handle-approvals';

export const dynamic = 'force-dynamic';

export const POST = handleDecideApproval(true);
