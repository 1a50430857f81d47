// GET /api/account/audit/export?format=csv|jsonl: every record matching the filters, streamed.
import { handleAuditExport } from '@/lib/endpoints/account/audit';

export const dynamic = 'force-dynamic';

export const GET = handleAuditExport;
