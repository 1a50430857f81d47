// GET /api/v1/reports/{report_id} (reports:read) and PATCH (reports:write). Defined in lib/workspace/operations.ts.
import { apiRoute } from '@/lib/workspace/operations';

export const dynamic = 'force-dynamic';

export const GET = apiRoute('reports.read');
export const PATCH = apiRoute('reports.update');
