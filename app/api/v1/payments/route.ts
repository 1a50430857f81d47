// POST /api/v1/payments (payments:write): initiate a payment. Defined in lib/workspace/operations.ts.
import { apiRoute } from '@/lib/workspace/operations';

export const dynamic = 'force-dynamic';

export const POST = apiRoute('payments.initiate');
