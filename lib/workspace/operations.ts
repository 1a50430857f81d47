// The operations of the agents' API over the sample workspace (issue 4, "the sample API"): one
// definition each, served as /api/v1 routes and as MCP tools, described by /api/v1/openapi.json.
// Answers carry `_links` to the next actions this token may actually take (scope and policy).
import 'server-only';
import type { ActionName } from '@/lib/policy/actions';
import { defineOperation, links, OperationError, operationRoute, type Operation } from '@/lib/resource/operation';
import { datasetRows, findDataset, findWorkflow, SAMPLE_DATASETS, SAMPLE_WORKFLOWS } from '@/lib/workspace/sample-workspace';
import {
  createReportInput,
  datasetParams,
  datasetTarget,
  disputeInvoiceInput,
  fromMinorUnits,
  initiatePaymentInput,
  invoiceParams,
  isKnownWorkflow,
  queryDatasetInput,
  reportParams,
  toMinorUnits,
  triggerWorkflowInput,
  updateReportInput,
  workflowParams,
} from '@/lib/workspace/workspace-inputs';
import { db } from '@/lib/db/client';
import { authorizationDetailsSchema } from '@/lib/oauth/authorization-details';

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

const INVOICE_FIELDS = { id: true, number: true, vendor: true, currency: true, amountMinor: true, issuedOn: true, dueOn: true, status: true, disputeReason: true, disputedAt: true } as const;
type InvoiceRow = { id: string; number: string; vendor: string; currency: string; amountMinor: bigint; issuedOn: Date; dueOn: Date; status: string; disputeReason: string | null; disputedAt: Date | null };
const day = (d: Date) => d.toISOString().slice(0, 10);
const invoiceJson = (i: InvoiceRow) => ({
  id: i.id,
  number: i.number,
  vendor: i.vendor,
  amount: fromMinorUnits(i.amountMinor),
  currency: i.currency,
  issued_on: day(i.issuedOn),
  due_on: day(i.dueOn),
  status: i.status.toLowerCase(),
  ...(i.disputeReason ? { dispute_reason: i.disputeReason, disputed_at: i.disputedAt?.toISOString() } : {}),
});

async function reportTarget(userId: string | null, reportId: string) {
  const report = await db().report.findFirst({ where: { id: reportId, userId: userId! }, select: { id: true, datasetId: true } });
  return report && { ...datasetTarget(report.datasetId), id: report.id, kind: 'report' };
}

const datasetsList = defineOperation({
  action: 'datasets.list',
  method: 'GET',
  path: '/datasets',
  tool: 'list_datasets',
  description: 'Lists the datasets in the workspace, with their columns, size and sensitivity.',
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

const datasetsQuery = defineOperation({
  action: 'datasets.query',
  method: 'POST',
  path: '/datasets/{dataset_id}/query',
  tool: 'query_dataset',
  description: 'Reads rows of one dataset, optionally filtered by column values (equality), a page at a time.',
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

const reportsList = defineOperation({
  action: 'reports.list',
  method: 'GET',
  path: '/reports',
  tool: 'list_reports',
  description: 'Lists the reports in the workspace, newest first.',
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

const reportsRead = defineOperation({
  action: 'reports.read',
  method: 'GET',
  path: '/reports/{report_id}',
  tool: 'read_report',
  description: 'Reads one report, with its body.',
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

const reportsCreate = defineOperation({
  action: 'reports.create',
  method: 'POST',
  path: '/reports',
  tool: 'create_report',
  description: 'Writes a new report about one dataset into the workspace.',
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

const reportsUpdate = defineOperation({
  action: 'reports.update',
  method: 'PATCH',
  path: '/reports/{report_id}',
  tool: 'update_report',
  description: 'Changes the title or the body of a report.',
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

const workflowsList = defineOperation({
  action: 'workflows.list',
  method: 'GET',
  path: '/workflows',
  tool: 'list_workflows',
  description: 'Lists the workflows an agent can start, with the last run of each in this workspace.',
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

const workflowsTrigger = defineOperation({
  action: 'workflows.trigger',
  method: 'POST',
  path: '/workflows/{workflow_id}/runs',
  tool: 'trigger_workflow',
  description: 'Starts a run of a workflow (queued). High risk: by default it needs the user’s approval.',
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

const invoicesList = defineOperation({
  action: 'invoices.list',
  method: 'GET',
  path: '/invoices',
  tool: 'list_invoices',
  description: 'Lists the invoices in the workspace, by due date.',
  requiresUser: true,
  run: async ({ tx, userId, link }) => {
    const rows = await tx.invoice.findMany({ where: { userId: userId! }, orderBy: [{ dueOn: 'asc' }, { number: 'asc' }], take: 100, select: INVOICE_FIELDS });
    return { invoices: rows.map(invoiceJson), _links: links({ read: link('invoices.read', { templated: true }) }) };
  },
});

const invoiceTarget = async (userId: string | null, invoiceId: string) => {
  const invoice = await db().invoice.findFirst({ where: { id: invoiceId, userId: userId! }, select: { id: true } });
  return invoice && { id: invoice.id, kind: 'invoice' };
};

const invoicesRead = defineOperation({
  action: 'invoices.read',
  method: 'GET',
  path: '/invoices/{invoice_id}',
  tool: 'read_invoice',
  description: 'Reads one invoice.',
  requiresUser: true,
  params: invoiceParams,
  target: ({ userId, params }) => invoiceTarget(userId, params.invoice_id),
  run: async ({ tx, userId, params, link }) => {
    const invoice = await tx.invoice.findFirstOrThrow({ where: { id: params.invoice_id, userId: userId! }, select: INVOICE_FIELDS });
    const open = invoice.status === 'OPEN';
    const target = { id: invoice.id, kind: 'invoice' };
    return {
      ...invoiceJson(invoice),
      _links: links({
        dispute: open ? link('invoices.dispute', { params, target }) : undefined,
        pay: open ? link('payments.initiate', { payment: { currency: invoice.currency, amountMinor: Number(invoice.amountMinor) } }) : undefined,
        collection: link('invoices.list'),
      }),
    };
  },
});

const invoicesDispute = defineOperation({
  action: 'invoices.dispute',
  method: 'POST',
  path: '/invoices/{invoice_id}/dispute',
  tool: 'dispute_invoice',
  description: 'Disputes an open invoice with a reason. High risk: by default it needs a second factor.',
  requiresUser: true,
  params: invoiceParams,
  input: disputeInvoiceInput,
  target: ({ userId, params }) => invoiceTarget(userId, params.invoice_id),
  run: async ({ tx, token, userId, params, input, link }) => {
    // Only an open invoice can be disputed; the condition in the UPDATE settles races.
    const changed = await tx.invoice.updateManyAndReturn({
      where: { id: params.invoice_id, userId: userId!, status: 'OPEN' },
      data: { status: 'DISPUTED', disputeReason: input.reason, disputedAt: new Date(), disputedById: token.agentId },
      select: INVOICE_FIELDS,
    });
    if (!changed[0]) throw new OperationError(409, 'conflict', 'Only an open invoice can be disputed; this one is not open.');
    return { ...invoiceJson(changed[0]), _links: links({ self: link('invoices.read', { params, target: { id: params.invoice_id, kind: 'invoice' } }) }) };
  },
});

const paymentsInitiate = defineOperation({
  action: 'payments.initiate',
  method: 'POST',
  path: '/payments',
  tool: 'initiate_payment',
  description: 'Initiates a payment to a creditor (recorded, not executed). High risk: by default it needs the user’s approval; a policy may allow it up to an amount.',
  status: 201,
  requiresUser: true,
  input: initiatePaymentInput,
  payment: (input) => ({ currency: input.currency, amountMinor: toMinorUnits(input.amount) }),
  run: async ({ tx, token, userId, input }) => {
    // A just-in-time token approved for one payment (RFC 9396 details) pays exactly that payment,
    // once: it is revoked in the same transaction as the payment it made.
    if (token.jit && token.authorizationDetails) {
      const approved = authorizationDetailsSchema.safeParse(token.authorizationDetails);
      const matches =
        approved.success &&
        approved.data.some(
          (d) => d.instructedAmount.currency === input.currency && toMinorUnits(d.instructedAmount.amount) === toMinorUnits(input.amount) && d.creditorName === input.creditor_name,
        );
      if (!matches) throw new OperationError(403, 'access_denied', 'This token was approved for a different payment.');
      await tx.token.update({ where: { id: token.id }, data: { revokedAt: new Date(), revokedReason: 'just-in-time token used for its approved payment' } });
    }
    const payment = await tx.payment.create({
      data: {
        userId: userId!,
        agentId: token.agentId,
        currency: input.currency,
        amountMinor: BigInt(toMinorUnits(input.amount)),
        creditorName: input.creditor_name,
        reference: input.reference ?? null,
      },
      select: { id: true, createdAt: true },
    });
    return { id: payment.id, amount: input.amount, currency: input.currency, creditor_name: input.creditor_name, status: 'initiated', created_at: payment.createdAt.toISOString() };
  },
});

export const OPERATIONS: readonly Operation[] = [
  datasetsList,
  datasetsQuery,
  reportsList,
  reportsRead,
  reportsCreate,
  reportsUpdate,
  workflowsList,
  workflowsTrigger,
  invoicesList,
  invoicesRead,
  invoicesDispute,
  paymentsInitiate,
];

export const OPERATIONS_BY_ACTION: ReadonlyMap<ActionName, Operation> = new Map(OPERATIONS.map((o) => [o.action, o]));

export function operation(action: ActionName): Operation {
  return OPERATIONS_BY_ACTION.get(action)!;
}

/** The Next route handler that serves one operation under /api/v1. */
export function apiRoute(action: ActionName) {
  return operationRoute(operation(action), OPERATIONS_BY_ACTION);
}
