// POST /api/v1/workflows/{workflow_id}/runs (workflows:trigger): start a run. Defined in lib/workspace/operations.ts.
import { apiRoute } from '@/lib/workspace/operations';

export const dynamic = 'force-dynamic';

export const POST = apiRoute('workflows.trigger');
