// POST /api/account/approvals/{id}/deny: deny, in one click.
import { handleDecideApproval } from '@/lib/account/handle-approvals';

export const dynamic = 'force-dynamic';

export const POST = handleDecideApproval(false);
