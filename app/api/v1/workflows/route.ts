// GET /api/v1/workflows (workflows:trigger): the workflows and their last runs. Defined in lib/workspace/operations.ts.
import { apiRoute } from '@/lib/workspace/operations';

export const dynamic = 'force-dynamic';

export const GET = apiRoute('workflows.list');
