// GET /api/v1/datasets: list the workspace's datasets (scope datasets:read; RFC 6750 bearer).
import { protect } from '@/lib/resource/protect';
import { SAMPLE_DATASETS } from '@/lib/workspace/sample-workspace';

export const dynamic = 'force-dynamic';

export const GET = protect({ resource: 'api', action: 'datasets.list' }, async () =>
  Response.json({ datasets: SAMPLE_DATASETS }, { headers: { 'Cache-Control': 'no-store' } }),
);
