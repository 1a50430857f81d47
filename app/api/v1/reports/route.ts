// GET /api/v1/reports: list reports (scope reports:read, which reports:write implies).
import { protect } from '@/lib/resource/protect';
import { SAMPLE_REPORTS } from '@/lib/workspace/sample-workspace';

export const dynamic = 'force-dynamic';

export const GET = protect({ resource: 'api', action: 'reports.list' }, async () =>
  Response.json({ reports: SAMPLE_REPORTS }, { headers: { 'Cache-Control': 'no-store' } }),
);
