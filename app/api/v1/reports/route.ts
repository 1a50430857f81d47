// GET /api/v1/reports (reports:read): the sample reports and those agents wrote for this user.
// POST /api/v1/reports (reports:write): write a report on a dataset into the user's workspace.
import { protect } from '@/lib/resource/protect';
import { SAMPLE_REPORTS } from '@/lib/workspace/sample-workspace';
import { createReportInput, datasetTarget } from '@/lib/workspace/workspace-inputs';

export const dynamic = 'force-dynamic';

export const GET = protect({ resource: 'api', action: 'reports.list' }, async ({ token, tx }) => {
  const written = token.userId
    ? await tx.report.findMany({
        where: { userId: token.userId },
        orderBy: { createdAt: 'desc' },
        take: 100,
        select: { id: true, title: true, datasetId: true, createdAt: true },
      })
    : [];
  const reports = [
    ...written.map((r) => ({ id: r.id, title: r.title, dataset: r.datasetId, updated_at: r.createdAt.toISOString() })),
    ...SAMPLE_REPORTS,
  ];
  return Response.json({ reports }, { headers: { 'Cache-Control': 'no-store' } });
});

export const POST = protect(
  {
    resource: 'api',
    action: 'reports.create',
    input: createReportInput,
    requiresUser: true,
    target: (_request, input) => datasetTarget(input.dataset_id),
  },
  async ({ token, tx, input }) => {
    const report = await tx.report.create({
      data: { userId: token.userId!, agentId: token.agentId, title: input.title, datasetId: input.dataset_id, body: input.body },
      select: { id: true, title: true, datasetId: true, createdAt: true },
    });
    return Response.json(
      { id: report.id, title: report.title, dataset_id: report.datasetId, created_at: report.createdAt.toISOString() },
      { status: 201, headers: { 'Cache-Control': 'no-store' } },
    );
  },
);
