// Path parameters and request bodies of the workspace's operations (zod at the boundary; wire
// names snake_case). The OpenAPI document and the MCP tools' input schemas are generated from
// these same schemas.
import { z } from 'zod';
import { SAMPLE_DATASETS, SAMPLE_WORKFLOWS } from '@/lib/workspace/sample-workspace';

const DATASET_IDS = SAMPLE_DATASETS.map((d) => d.id) as [string, ...string[]];

const datasetId = z.string().max(100).describe('A dataset id, e.g. ds_sales_2026 (see list_datasets).');
export const datasetParams = z.object({ dataset_id: datasetId });
export const reportParams = z.object({ report_id: z.uuid().describe('A report id (see list_reports).') });
export const workflowParams = z.object({ workflow_id: z.string().max(100).describe('A workflow id, e.g. wf_monthly_close (see list_workflows).') });
export const invoiceParams = z.object({ invoice_id: z.uuid().describe('An invoice id (see list_invoices).') });

export const queryDatasetInput = z.object({
  filters: z
    .record(z.string().max(50), z.union([z.string().max(200), z.number()]))
    .default({})
    .describe('Equality filters on the dataset’s columns, e.g. {"region": "EMEA"}.'),
  limit: z.number().int().min(1).max(100).default(20).describe('At most this many rows (1 to 100).'),
  offset: z.number().int().min(0).max(100_000).default(0),
});

export const createReportInput = z.object({
  title: z.string().trim().min(1).max(200),
  dataset_id: z.enum(DATASET_IDS).describe('The dataset the report is about.'),
  body: z.string().max(20_000).default(''),
});

export const updateReportInput = z
  .object({ title: z.string().trim().min(1).max(200).optional(), body: z.string().max(20_000).optional() })
  .refine((v) => v.title !== undefined || v.body !== undefined, 'give a title or a body to change');

const WORKFLOW_IDS = SAMPLE_WORKFLOWS.map((w) => w.id);
export const triggerWorkflowInput = z.object({
  parameters: z
    .record(z.string().max(50), z.union([z.string().max(500), z.number(), z.boolean()]))
    .default({})
    .describe('Run parameters, passed to the workflow.'),
});
export const isKnownWorkflow = (id: string) => WORKFLOW_IDS.includes(id as (typeof WORKFLOW_IDS)[number]);

export const disputeInvoiceInput = z.object({
  reason: z.string().trim().min(3).max(1000).describe('Why the invoice is wrong, in a sentence or two.'),
});

export const initiatePaymentInput = z.object({
  amount: z.string().regex(/^\d{1,9}(\.\d{1,2})?$/, 'a decimal amount such as "1250.00"'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'),
  creditor_name: z.string().trim().min(1).max(140),
  reference: z.string().max(140).optional(),
});

export function datasetTarget(datasetId: string) {
  const dataset = SAMPLE_DATASETS.find((d) => d.id === datasetId);
  return { id: datasetId, kind: 'dataset', dataset: datasetId, sensitivity: dataset?.sensitivity ?? ('restricted' as const) };
}
