// POST /api/v1/invoices/{invoice_id}/dispute (invoices:write). Defined in lib/workspace/operations.ts.
import { apiRoute } from '@/lib/workspace/operations';

export const dynamic = 'force-dynamic';

export const POST = apiRoute('invoices.dispute');
