// POST /api/account/audit/verify: recompute the audit log's hash chain and report the first break.
import { handleAuditVerify } from '@/lib/endpoints/account/audit';

export const dynamic = 'force-dynamic';

export const POST = handleAuditVerify;
