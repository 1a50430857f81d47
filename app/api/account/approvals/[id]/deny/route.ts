// POST /api/account/approvals/{id}/deny: deny, in one click.
import { handleDecideApproval } from '@/lib/endpoints/account/approvals';

export const dynamic = 'force-dynamic';

export const POST = handleDecideApproval(false);
