// A client generated from the live OpenAPI document can read every answer of the agents' API.
// openapi-typescript turns GET /api/v1/openapi.json into types; a small program calls each
// operation through openapi-fetch's createClient<paths>() and reads the fields of each answer; the
// project's TypeScript compiler type-checks it, so a field the document does not describe fails to
// compile; then the same program runs against this server and the test checks what it read. The
// generated types go to the test's output folder (under .leash-test/, git-ignored): they are
// made from the running server's document on every run, never committed.
// @see cc5b6d7 (e2e): the commit whose behaviour these tests guard.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { delegatedToken, setPolicy } from '../support/delegation';

// Every operation once, in an order where each answer has something to show (the run exists before
// the workflows are listed, so `last_run` is read non-null). Returns exactly the fields it read.
const PROGRAM = `
import createClient from 'openapi-fetch';
import type { components, paths } from './leash-api';

type Link = components['schemas']['Link'];
const link = (l: Link | undefined) => l && { href: l.href, method: l.method, tool: l.tool, title: l.title, ...(l.templated ? { templated: l.templated } : {}) };

export async function callEveryOperation(baseUrl: string, token: string) {
  const api = createClient<paths>({ baseUrl, headers: { Authorization: \`Bearer \${token}\` } });
  const ok = <T>(answer: { data?: T; error?: unknown; response: Response }): T => {
    if (answer.data === undefined) throw new Error(\`\${answer.response.url} answered \${answer.response.status}: \${JSON.stringify(answer.error)}\`);
    return answer.data;
  };

  const datasets = ok(await api.GET('/api/v1/datasets'));
  const sales = datasets.datasets.find((d) => d.id === 'ds_sales_2026')!;
  const query = ok(
    await api.POST('/api/v1/datasets/{dataset_id}/query', { params: { path: { dataset_id: sales.id } }, body: { filters: { region: 'EMEA', product: 'Team' }, limit: 2 } }),
  );

  const reports = ok(await api.GET('/api/v1/reports'));
  const created = ok(await api.POST('/api/v1/reports', { body: { title: 'Typed client', dataset_id: 'ds_sales_2026', body: 'Written through openapi-fetch.' } }));
  const reportPath = { params: { path: { report_id: created.id } } };
  // The named component is the type of all three answers.
  const read: components['schemas']['Report'] = ok(await api.GET('/api/v1/reports/{report_id}', reportPath));
  const updated = ok(await api.PATCH('/api/v1/reports/{report_id}', { ...reportPath, body: { title: 'Typed client (final)' } }));

  const run = ok(await api.POST('/api/v1/workflows/{workflow_id}/runs', { params: { path: { workflow_id: 'wf_monthly_close' } }, body: { parameters: { month: '2026-11', dry_run: true } } }));
  const workflows = ok(await api.GET('/api/v1/workflows'));
  const close = workflows.workflows.find((w) => w.id === 'wf_monthly_close')!;

  const invoices = ok(await api.GET('/api/v1/invoices'));
  const open = invoices.invoices.find((i) => i.status === 'open')!;
  const invoicePath = { params: { path: { invoice_id: open.id } } };
  const invoice = ok(await api.GET('/api/v1/invoices/{invoice_id}', invoicePath));
  const disputed = ok(await api.POST('/api/v1/invoices/{invoice_id}/dispute', { ...invoicePath, body: { reason: 'Billed twice for November.' } }));

  const payment = ok(await api.POST('/api/v1/payments', { body: { amount: '12.50', currency: 'USD', creditor_name: 'ACME Ltd' } }));

  // An error answer is typed too (the Error component).
  const missing = await api.GET('/api/v1/reports/{report_id}', { params: { path: { report_id: '00000000-0000-0000-0000-000000000000' } } });

  const reportFields = (r: components['schemas']['ReportSummary']) => ({
    id: r.id, title: r.title, dataset_id: r.dataset_id, written_by_agent: r.written_by_agent, created_at: r.created_at, updated_at: r.updated_at,
  });
  const invoiceFields = (i: components['schemas']['InvoiceSummary']) => ({
    id: i.id, number: i.number, vendor: i.vendor, amount: i.amount, currency: i.currency, issued_on: i.issued_on, due_on: i.due_on, status: i.status,
  });
  return {
    list_datasets: {
      dataset: {
        id: sales.id, name: sales.name, description: sales.description, sensitivity: sales.sensitivity, rows: sales.rows,
        columns: sales.columns.map((c) => \`\${c.name}:\${c.type}\`), query: link(sales._links.query),
      },
      self: link(datasets._links.self),
    },
    query_dataset: {
      dataset_id: query.dataset_id, columns: query.columns.map((c) => c.name), total: query.total,
      rows: query.rows.map((row) => \`\${row.month} \${row.region} \${row.product}\`), create_report: link(query._links.create_report),
    },
    list_reports: { titles: reports.reports.map((r) => r.title).sort(), first: reportFields(reports.reports[0]!), read: link(reports._links.read), create: link(reports._links.create) },
    create_report: { ...reportFields(created), body: created.body, self: link(created._links.self), update: link(created._links.update) },
    read_report: { ...reportFields(read), body: read.body, update: link(read._links.update), collection: link(read._links.collection) },
    update_report: { title: updated.title, body: updated.body, updated_at: updated.updated_at, self: link(updated._links.self) },
    trigger_workflow: { id: run.id, workflow_id: run.workflow_id, status: run.status, parameters: run.parameters, created_at: run.created_at, workflows: link(run._links.workflows) },
    list_workflows: {
      workflow: { id: close.id, name: close.name, description: close.description, trigger: link(close._links.trigger) },
      last_run: close.last_run && { id: close.last_run.id, status: close.last_run.status, created_at: close.last_run.created_at },
      self: link(workflows._links.self),
    },
    list_invoices: { first_open: invoiceFields(open), statuses: invoices.invoices.map((i) => i.status), read: link(invoices._links.read) },
    read_invoice: { ...invoiceFields(invoice), dispute: link(invoice._links.dispute), pay: link(invoice._links.pay), collection: link(invoice._links.collection) },
    dispute_invoice: { status: disputed.status, dispute_reason: disputed.dispute_reason, disputed_at: disputed.disputed_at, self: link(disputed._links.self) },
    initiate_payment: { id: payment.id, amount: payment.amount, currency: payment.currency, creditor_name: payment.creditor_name, status: payment.status, created_at: payment.created_at },
    refused: { status: missing.response.status, error: missing.error?.error, error_description: missing.error?.error_description },
  };
}
`;

// The control: reading what the document does not describe must not compile, or a passing
// type-check would prove nothing (types that degrade to `any` accept everything).
const UNDESCRIBED = `
import createClient from 'openapi-fetch';
import type { paths } from './leash-api';

export async function readUndescribed(api: ReturnType<typeof createClient<paths>>) {
  const { data } = await api.GET('/api/v1/reports');
  const { data: payment } = await api.POST('/api/v1/payments', { body: { amount: '1.00', currency: 'USD', creditor_name: 'x' } });
  return [data?.reports[0]?.author, payment?._links];
}
`;

/** Type errors of the given files, as `file:line: message`, with the project's strictness. */
function typeErrors(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noUncheckedIndexedAccess: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    types: [],
    skipLibCheck: true,
    noEmit: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

test('a client generated from /api/v1/openapi.json type-checks reading every answer, and reads them from the server', async ({ request, baseURL }) => {
  test.setTimeout(90_000); // generating and type-checking take several seconds on a 2-core machine

  const document = await (await request.get('/api/v1/openapi.json')).json();
  const dir = test.info().outputPath('typed-client');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'leash-api.ts'), astToString(await openapiTS(document)));
  fs.writeFileSync(path.join(dir, 'program.ts'), PROGRAM);
  fs.writeFileSync(path.join(dir, 'undescribed.ts'), UNDESCRIBED);

  const errors = typeErrors([path.join(dir, 'program.ts'), path.join(dir, 'undescribed.ts')]);
  expect(errors.filter((e) => !e.startsWith('undescribed.ts:'))).toEqual([]);
  expect(errors).toEqual([
    "undescribed.ts:8: Property 'author' does not exist on type '{ id: string; title: string; dataset_id: string; written_by_agent: boolean; created_at: string; updated_at: string; }'.",
    "undescribed.ts:8: Property '_links' does not exist on type '{ id: string; amount: string; currency: string; creditor_name: string; status: \"initiated\"; created_at: string; }'.",
  ]);

  // The same program, run: every operation allowed for this agent (writes, a run, a dispute and a
  // payment up to 2,000.00 USD), so each answer is a 2xx with its fields.
  const delegation = await delegatedToken(request, baseURL!, 'datasets:read reports:write workflows:trigger invoices:write payments:write');
  await setPolicy(delegation, {
    actions: { 'workflows.trigger': 'allow', 'invoices.dispute': 'allow', 'payments.initiate': 'allow' },
    paymentLimit: { currency: 'USD', amountMinor: 200_000 },
  });
  const compiled = path.join(dir, 'program.mjs');
  fs.writeFileSync(compiled, ts.transpileModule(PROGRAM, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
  const { callEveryOperation } = (await import(pathToFileURL(compiled).href)) as { callEveryOperation: (baseUrl: string, token: string) => Promise<Record<string, unknown>> };
  const read = await callEveryOperation(baseURL!, delegation.token);

  const uuid = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const timestamp = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const api = `${baseURL}/api/v1`;
  const report = (title: unknown) => ({ id: uuid, title, dataset_id: 'ds_sales_2026', written_by_agent: true, created_at: timestamp, updated_at: timestamp });
  const acme = {
    id: uuid,
    number: 'INV-2026-0142',
    vendor: 'ACME Ltd',
    amount: '1250.00',
    currency: 'USD',
    issued_on: expect.stringMatching(/^\d{4}-\d\d-\d\d$/),
    due_on: '2026-12-05',
    status: 'open',
  };
  expect(read).toEqual({
    list_datasets: {
      dataset: {
        id: 'ds_sales_2026',
        name: 'Sales 2026',
        description: 'Monthly revenue by region and product line.',
        sensitivity: 'internal',
        rows: 99,
        columns: ['month:string', 'region:string', 'product:string', 'revenue:number'],
        query: { href: `${api}/datasets/ds_sales_2026/query`, method: 'POST', tool: 'query_dataset', title: 'Query a dataset' },
      },
      self: { href: `${api}/datasets`, method: 'GET', tool: 'list_datasets', title: 'List datasets' },
    },
    query_dataset: {
      dataset_id: 'ds_sales_2026',
      columns: ['month', 'region', 'product', 'revenue'],
      total: 11,
      rows: ['2026-01 EMEA Team', '2026-02 EMEA Team'],
      create_report: { href: `${api}/reports`, method: 'POST', tool: 'create_report', title: 'Create a report' },
    },
    list_reports: {
      titles: ['Q3 revenue', 'Ticket trends'],
      first: { ...report(expect.any(String)), dataset_id: expect.any(String), written_by_agent: false },
      read: { href: `${api}/reports/{report_id}`, method: 'GET', tool: 'read_report', title: 'Read a report', templated: true },
      create: { href: `${api}/reports`, method: 'POST', tool: 'create_report', title: 'Create a report' },
    },
    create_report: {
      ...report('Typed client'),
      body: 'Written through openapi-fetch.',
      self: { href: expect.stringMatching(`^${api}/reports/[0-9a-f-]{36}$`), method: 'GET', tool: 'read_report', title: 'Read a report' },
      update: { href: expect.stringMatching(`^${api}/reports/[0-9a-f-]{36}$`), method: 'PATCH', tool: 'update_report', title: 'Update a report' },
    },
    read_report: {
      ...report('Typed client'),
      body: 'Written through openapi-fetch.',
      update: { href: expect.stringMatching(`^${api}/reports/[0-9a-f-]{36}$`), method: 'PATCH', tool: 'update_report', title: 'Update a report' },
      collection: { href: `${api}/reports`, method: 'GET', tool: 'list_reports', title: 'List reports' },
    },
    update_report: {
      title: 'Typed client (final)',
      body: 'Written through openapi-fetch.',
      updated_at: timestamp,
      self: { href: expect.stringMatching(`^${api}/reports/[0-9a-f-]{36}$`), method: 'GET', tool: 'read_report', title: 'Read a report' },
    },
    trigger_workflow: {
      id: uuid,
      workflow_id: 'wf_monthly_close',
      status: 'queued',
      parameters: { month: '2026-11', dry_run: true },
      created_at: timestamp,
      workflows: { href: `${api}/workflows`, method: 'GET', tool: 'list_workflows', title: 'List workflows' },
    },
    list_workflows: {
      workflow: {
        id: 'wf_monthly_close',
        name: 'Monthly close',
        description: 'Reconciles the month’s invoices and payments and locks the books.',
        trigger: { href: `${api}/workflows/wf_monthly_close/runs`, method: 'POST', tool: 'trigger_workflow', title: 'Start a workflow' },
      },
      last_run: { id: uuid, status: 'queued', created_at: timestamp },
      self: { href: `${api}/workflows`, method: 'GET', tool: 'list_workflows', title: 'List workflows' },
    },
    list_invoices: {
      first_open: acme,
      statuses: ['paid', 'open', 'open'],
      read: { href: `${api}/invoices/{invoice_id}`, method: 'GET', tool: 'read_invoice', title: 'Read an invoice', templated: true },
    },
    read_invoice: {
      ...acme,
      dispute: { href: expect.stringMatching(`^${api}/invoices/[0-9a-f-]{36}/dispute$`), method: 'POST', tool: 'dispute_invoice', title: 'Dispute an invoice' },
      pay: { href: `${api}/payments`, method: 'POST', tool: 'initiate_payment', title: 'Initiate a payment' },
      collection: { href: `${api}/invoices`, method: 'GET', tool: 'list_invoices', title: 'List invoices' },
    },
    dispute_invoice: {
      status: 'disputed',
      dispute_reason: 'Billed twice for November.',
      disputed_at: timestamp,
      self: { href: expect.stringMatching(`^${api}/invoices/[0-9a-f-]{36}$`), method: 'GET', tool: 'read_invoice', title: 'Read an invoice' },
    },
    initiate_payment: { id: uuid, amount: '12.50', currency: 'USD', creditor_name: 'ACME Ltd', status: 'initiated', created_at: timestamp },
    refused: { status: 404, error: 'not_found', error_description: 'No such item in this workspace.' },
  });
});
