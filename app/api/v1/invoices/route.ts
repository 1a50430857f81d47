// GET /api/v1/invoices (invoices:read). Defined in lib/workspace/operations.ts.
import { apiRoute } from '@/lib/workspace/operations';

export const dynamic = 'force-dynamic';

export const GET = apiRoute('invoices.list');
