// GET /api/v1/datasets (datasets:read): the workspace's datasets. Defined in lib/workspace/operations.ts.
import { apiRoute } from '@/lib/workspace/operations';

export const dynamic = 'force-dynamic';

export const GET = apiRoute('datasets.list');
