// GET /api/account/audit/export?format=csv|jsonl: every record matching the filters, streamed.
import { handleAuditExport } from '@/lib/audit/handle-audit-routes';

export const dynamic = 'force-dynamic';

export const GET = handleAuditExport;
