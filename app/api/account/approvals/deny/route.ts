// POST /api/account/approvals/deny {ids}: deny several pending requests at once (each audited).
import { handleDenyApprovals } from '@/lib/endpoints/account/approvals';

export const dynamic = 'force-dynamic';

export const POST = handleDenyApprovals;
