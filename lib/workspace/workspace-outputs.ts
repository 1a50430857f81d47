// Response bodies of the workspace's operations (zod at the boundary, answers included; wire names
// snake_case). The OpenAPI document's 2xx responses are generated from these (lib/workspace/openapi.ts),
// and outside production every answer is checked against its schema before it is sent
// (lib/resource/check-answer.ts). Objects are strict: zod's output mode documents them with
// `additionalProperties: false` anyway, and strictness makes a field a handler adds without
// documenting it fail that check instead of going unnoticed.
import { z } from 'zod';
import { SENSITIVITY } from '@/lib/scopes/actions';
import { linksSchema } from '@/lib/resource/link-schema';

const timestamp = z.iso.datetime().describe('RFC 3339, UTC.');
const day = z.iso.date();
const amount = z
  .string()
  .regex(/^\d+\.\d{2}$/)
  .describe('A decimal amount with two fraction digits, e.g. "1250.00".');
const currency = z
  .string()
  .regex(/^[A-Z]{3}$/)
  .describe('ISO 4217 code.');

export const columnSchema = z.strictObject({ name: z.string(), type: z.enum(['string', 'number']) });

/** A dataset of the catalogue, as list_datasets answers it. */
export const datasetSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  sensitivity: z.enum(SENSITIVITY),
  rows: z.number().int().describe('How many rows the dataset has.'),
  columns: z.array(columnSchema),
  _links: linksSchema('query'),
});

export const listDatasetsOutput = z.strictObject({ datasets: z.array(datasetSchema), _links: linksSchema('self') });

export const queryDatasetOutput = z.strictObject({
  dataset_id: z.string(),
  columns: z.array(columnSchema),
  total: z.number().int().describe('Rows matching the filters, before paging.'),
  rows: z.array(z.record(z.string(), z.union([z.string(), z.number()]))).describe('This page of the matching rows, column name to value.'),
  _links: linksSchema('create_report'),
});

const reportFields = {
  id: z.uuid(),
  title: z.string(),
  dataset_id: z.string(),
  written_by_agent: z.boolean().describe('Written by an agent (false for the reports the workspace came with).'),
  created_at: timestamp,
  updated_at: timestamp,
};

/** A report in a list: everything but its body. */
export const reportSummarySchema = z.strictObject(reportFields);

/** One report with its body: what read_report, create_report and update_report answer. */
export const reportSchema = z.strictObject({ ...reportFields, body: z.string(), _links: linksSchema('self', 'update', 'collection') });

export const listReportsOutput = z.strictObject({ reports: z.array(reportSummarySchema), _links: linksSchema('read', 'create') });

export const workflowSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  last_run: z
    .strictObject({ id: z.uuid(), status: z.string(), created_at: timestamp })
    .nullable()
    .describe('The latest run in this workspace; null without one (and for tokens an agent holds for itself).'),
  _links: linksSchema('trigger'),
});

export const listWorkflowsOutput = z.strictObject({ workflows: z.array(workflowSchema), _links: linksSchema('self') });

/** A run of a workflow, as trigger_workflow answers it. */
export const workflowRunSchema = z.strictObject({
  id: z.uuid(),
  workflow_id: z.string(),
  status: z.string().describe('`queued` when started: the sample workspace records runs, it does not execute them.'),
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  created_at: timestamp,
  _links: linksSchema('workflows'),
});

const invoiceFields = {
  id: z.uuid(),
  number: z.string(),
  vendor: z.string(),
  amount,
  currency,
  issued_on: day,
  due_on: day,
  status: z.enum(['open', 'paid', 'disputed']),
  dispute_reason: z.string().optional().describe('Only on a disputed invoice.'),
  disputed_at: timestamp.optional().describe('Only on a disputed invoice.'),
};

/** An invoice in a list (no links: read it for what may be done with it). */
export const invoiceSummarySchema = z.strictObject(invoiceFields);

/** One invoice, as read_invoice and dispute_invoice answer it. */
export const invoiceSchema = z.strictObject({ ...invoiceFields, _links: linksSchema('self', 'dispute', 'pay', 'collection') });

export const listInvoicesOutput = z.strictObject({ invoices: z.array(invoiceSummarySchema), _links: linksSchema('read') });

/** A payment, as initiate_payment answers it. It carries no `_links`: no operation reads a payment. */
export const paymentSchema = z.strictObject({
  id: z.uuid(),
  amount: z
    .string()
    .regex(/^\d{1,9}(\.\d{1,2})?$/)
    .describe('The amount as it was asked for (not normalised: "10.5" stays "10.5").'),
  currency,
  creditor_name: z.string(),
  status: z.literal('initiated').describe('Recorded, not executed: the sample workspace moves no money.'),
  created_at: timestamp,
});

/**
 * The shapes the OpenAPI document names (`components.schemas`), so that generated clients have
 * types with names. A response body not listed here is named after its operation
 * (`<Tool>Response`) by lib/workspace/openapi.ts.
 */
export const WORKSPACE_COMPONENTS = {
  Column: columnSchema,
  Dataset: datasetSchema,
  ReportSummary: reportSummarySchema,
  Report: reportSchema,
  Workflow: workflowSchema,
  WorkflowRun: workflowRunSchema,
  InvoiceSummary: invoiceSummarySchema,
  Invoice: invoiceSchema,
  Payment: paymentSchema,
} as const;
