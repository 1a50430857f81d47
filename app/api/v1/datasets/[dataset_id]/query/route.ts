// POST /api/v1/datasets/{dataset_id}/query (datasets:read): rows of one dataset. Defined in lib/workspace/operations.ts.
import { apiRoute } from '@/lib/workspace/operations';

export const dynamic = 'force-dynamic';

export const POST = apiRoute('datasets.query');
