// GET /api/v1/reports (reports:read) and POST /api/v1/reports (reports:write). Defined in lib/workspace/operations.ts.
import { apiRoute } from '@/lib/workspace/operations';

export const dynamic = 'force-dynamic';

export const GET = apiRoute('reports.list');
export const POST = apiRoute('reports.create');
