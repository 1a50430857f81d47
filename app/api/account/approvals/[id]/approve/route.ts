// POST /api/account/approvals/{id}/approve {code} or {passkey}: approve with a second factor for this request.
import { handleDecideApproval } from '@/lib/endpoints/account/approvals';

export const dynamic = 'force-dynamic';

export const POST = handleDecideApproval(true);
