// POST /api/account/approvals/deny {ids}: deny several pending requests at once (each audited).
import { handleDenyApprovals } from '@/lib/account/handle-approvals';

export const dynamic = 'force-dynamic';

export const POST = handleDenyApprovals;
