// The workspace's data operations: datasets (list, query), reports (list, read, create, update) and
// workflows (list, start a run). Registered in lib/workspace/operations.ts.
import 'server-only';
import { defineOperation, links, OperationError } from '@/lib/resource/operation';
import { datasetRows, findDataset, findWorkflow, SAMPLE_DATASETS, SAMPLE_WORKFLOWS } from '@/lib/workspace/sample-workspace';
import {
  createReportInput,
  datasetParams,
  datasetTarget,
  isKnownWorkflow,
  queryDatasetInput,
  reportParams,
  triggerWorkflowInput,
  updateReportInput,
  workflowParams,
} from '@/lib/workspace/workspace-inputs';
import { listDatasetsOutput, listReportsOutput, listWorkflowsOutput, queryDatasetOutput, reportSchema, workflowRunSchema } from '@/lib/workspace/workspace-outputs';
import { db } from '@/lib/db/client';

const REPORT_FIELDS = { id: true, title: true, datasetId: true, body: true, agentId: true, createdAt: true, updatedAt: true } as const;
type ReportRow = { id: string; title: string; datasetId: string; body: string; agentId: string | null; createdAt: Date; updatedAt: Date };
const reportJson = (r: ReportRow) => ({
  id: r.id,
  title: r.title,
  dataset_id: r.datasetId,
  body: r.body,
  written_by_agent: r.agentId !== null,
  created_at: r.createdAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
});

async function reportTarget(userId: string | null, reportId: string) {
  const report = await db().report.findFirst({ where: { id: reportId, userId: userId! }, select: { id: true, datasetId: true } });
  return report && { ...datasetTarget(report.datasetId), id: report.id, kind: 'report' };
}

export const datasetsList = defineOperation({
  action: 'datasets.list',
  method: 'GET',
  path: '/datasets',
  tool: 'list_datasets',
  description: 'Lists the datasets in the workspace, with their columns, size and sensitivity.',
  output: listDatasetsOutput,
  run: async ({ link }) => ({
    datasets: SAMPLE_DATASETS.map((d) => ({
      id: d.id,
      name: d.name,
      description: d.description,
      sensitivity: d.sensitivity,
      rows: datasetRows(d.id).length,
      columns: d.columns,
      _links: links({ query: link('datasets.query', { params: { dataset_id: d.id }, target: datasetTarget(d.id) }) }),
    })),
    _links: links({ self: link('datasets.list') }),
  }),
});

export const datasetsQuery = defineOperation({
  action: 'datasets.query',
  method: 'POST',
  path: '/datasets/{dataset_id}/query',
  tool: 'query_dataset',
  description: 'Reads rows of one dataset, optionally filtered by column values (equality), a page at a time.',
  output: queryDatasetOutput,
  params: datasetParams,
  input: queryDatasetInput,
  target: ({ params }) => (findDataset(params.dataset_id) ? datasetTarget(params.dataset_id) : null),
  run: async ({ params, input, link }) => {
    const dataset = findDataset(params.dataset_id)!;
    const names = new Set<string>(dataset.columns.map((c) => c.name));
    const unknown = Object.keys(input.filters).find((name) => !names.has(name));
    if (unknown) throw new OperationError(400, 'invalid_request', `Unknown column "${unknown}"; this dataset has: ${[...names].join(', ')}.`);
    const matching = datasetRows(dataset.id).filter((row) => Object.entries(input.filters).every(([name, value]) => row[name] === value));
    return {
      dataset_id: dataset.id,
      columns: dataset.columns,
      total: matching.length,
      rows: matching.slice(input.offset, input.offset + input.limit),
      _links: links({ create_report: link('reports.create', { target: datasetTarget(dataset.id) }) }),
    };
  },
});

export const reportsList = defineOperation({
  action: 'reports.list',
  method: 'GET',
  path: '/reports',
  tool: 'list_reports',
  description: 'Lists the reports in the workspace, newest first.',
  output: listReportsOutput,
  requiresUser: true,
  run: async ({ tx, userId, link }) => {
    const rows = await tx.report.findMany({ where: { userId: userId! }, orderBy: { createdAt: 'desc' }, take: 100, select: REPORT_FIELDS });
    return {
      reports: rows.map((r) => {
        const { body: _body, ...summary } = reportJson(r);
        return summary;
      }),
      _links: links({
        read: link('reports.read', { templated: true }),
        create: link('reports.create'),
      }),
    };
  },
});

export const reportsRead = defineOperation({
  action: 'reports.read',
  method: 'GET',
  path: '/reports/{report_id}',
  tool: 'read_report',
  description: 'Reads one report, with its body.',
  output: reportSchema,
  requiresUser: true,
  params: reportParams,
  target: ({ userId, params }) => reportTarget(userId, params.report_id),
  run: async ({ tx, userId, params, link }) => {
    const report = await tx.report.findFirstOrThrow({ where: { id: params.report_id, userId: userId! }, select: REPORT_FIELDS });
    return {
      ...reportJson(report),
      _links: links({
        update: link('reports.update', { params, target: { ...datasetTarget(report.datasetId), id: report.id, kind: 'report' } }),
        collection: link('reports.list'),
      }),
    };
  },
});

export const reportsCreate = defineOperation({
  action: 'reports.create',
  method: 'POST',
  path: '/reports',
  tool: 'create_report',
  description: 'Writes a new report about one dataset into the workspace.',
  output: reportSchema,
  status: 201,
  requiresUser: true,
  input: createReportInput,
  target: ({ input }) => datasetTarget(input.dataset_id),
  run: async ({ tx, token, userId, input, link }) => {
    const report = await tx.report.create({
      data: { userId: userId!, agentId: token.agentId, title: input.title, datasetId: input.dataset_id, body: input.body },
      select: REPORT_FIELDS,
    });
    const params = { report_id: report.id };
    const target = { ...datasetTarget(report.datasetId), id: report.id, kind: 'report' };
    return { ...reportJson(report), _links: links({ self: link('reports.read', { params, target }), update: link('reports.update', { params, target }) }) };
  },
});

export const reportsUpdate = defineOperation({
  action: 'reports.update',
  method: 'PATCH',
  path: '/reports/{report_id}',
  tool: 'update_report',
  description: 'Changes the title or the body of a report.',
  output: reportSchema,
  requiresUser: true,
  params: reportParams,
  input: updateReportInput,
  target: ({ userId, params }) => reportTarget(userId, params.report_id),
  run: async ({ tx, userId, params, input, link }) => {
    const updated = await tx.report.updateManyAndReturn({
      where: { id: params.report_id, userId: userId! },
      data: { ...(input.title !== undefined ? { title: input.title } : {}), ...(input.body !== undefined ? { body: input.body } : {}) },
      select: REPORT_FIELDS,
    });
    const report = updated[0];
    if (!report) throw new OperationError(404, 'not_found', 'No such item in this workspace.');
    return { ...reportJson(report), _links: links({ self: link('reports.read', { params, target: { ...datasetTarget(report.datasetId), id: report.id, kind: 'report' } }) }) };
  },
});

export const workflowsList = defineOperation({
  action: 'workflows.list',
  method: 'GET',
  path: '/workflows',
  tool: 'list_workflows',
  description: 'Lists the workflows an agent can start, with the last run of each in this workspace.',
  output: listWorkflowsOutput,
  run: async ({ tx, userId, link }) => {
    const lastRuns = userId
      ? await tx.workflowRun.findMany({ where: { userId }, orderBy: { createdAt: 'desc' }, distinct: ['workflowId'], select: { workflowId: true, id: true, status: true, createdAt: true } })
      : [];
    return {
      workflows: SAMPLE_WORKFLOWS.map((w) => {
        const last = lastRuns.find((r) => r.workflowId === w.id);
        return {
          id: w.id,
          name: w.name,
          description: w.description,
          last_run: last ? { id: last.id, status: last.status, created_at: last.createdAt.toISOString() } : null,
          _links: links({ trigger: link('workflows.trigger', { params: { workflow_id: w.id }, target: workflowTarget(w.id) ?? undefined }) }),
        };
      }),
      _links: links({ self: link('workflows.list') }),
    };
  },
});

function workflowTarget(id: string) {
  const workflow = findWorkflow(id);
  return workflow && { ...datasetTarget(workflow.dataset), id: workflow.id, kind: 'workflow' };
}

export const workflowsTrigger = defineOperation({
  action: 'workflows.trigger',
  method: 'POST',
  path: '/workflows/{workflow_id}/runs',
  tool: 'trigger_workflow',
  description: 'Starts a run of a workflow (queued). High risk: by default it needs the user’s approval.',
  output: workflowRunSchema,
  status: 201,
  requiresUser: true,
  params: workflowParams,
  input: triggerWorkflowInput,
  target: ({ params }) => (isKnownWorkflow(params.workflow_id) ? workflowTarget(params.workflow_id) : null),
  run: async ({ tx, token, userId, params, input, link }) => {
    const run = await tx.workflowRun.create({
      data: { userId: userId!, agentId: token.agentId, workflowId: params.workflow_id, parameters: input.parameters },
      select: { id: true, status: true, createdAt: true },
    });
    return {
      id: run.id,
      workflow_id: params.workflow_id,
      status: run.status,
      parameters: input.parameters,
      created_at: run.createdAt.toISOString(),
      _links: links({ workflows: link('workflows.list') }),
    };
  },
});
