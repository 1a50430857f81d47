// The OpenAPI document describes answers, not just requests: every operation declares its answer
// as a zod schema, and every 2xx response of the document resolves to an object with properties
// (a bare `{"type":"object"}` gives generated clients nothing to read).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument } from '@/lib/workspace/openapi';
import { OPERATIONS } from '@/lib/workspace/operations';

type Schema = { $ref?: string; type?: string; properties?: Record<string, Schema>; required?: string[] };
type Response = { content?: Record<string, { schema: Schema }> };
type OperationObject = { operationId: string; responses: Record<string, Response> };

const doc = openApiDocument();
const schemas = doc.components.schemas as Record<string, Schema>;
const resolve = (schema: Schema): Schema => (schema.$ref ? resolve(schemas[schema.$ref.replace('#/components/schemas/', '')]!) : schema);
const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods) as OperationObject[]);

/** Every `$ref` anywhere below `value`. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => (key === '$ref' && typeof child === 'string' ? [child] : refs(child)));
}

describe('the OpenAPI document', () => {
  it('every operation declares its answer as a zod schema', () => {
    expect(OPERATIONS).toHaveLength(12);
    for (const operation of OPERATIONS) expect(operation.output, operation.tool).toBeInstanceOf(z.ZodType);
  });

  it('every 2xx response is an object with properties; every answer but a payment has `_links` of Link', () => {
    expect(operations).toHaveLength(OPERATIONS.length);
    const withoutLinks: string[] = [];
    for (const operation of operations) {
      const success = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'));
      expect(success, operation.operationId).toHaveLength(1);
      const body = resolve(success[0]![1].content!['application/json']!.schema);
      expect(body.type, operation.operationId).toBe('object');
      expect(Object.keys(body.properties ?? {}).length, operation.operationId).toBeGreaterThan(0);
      const linksProperty = body.properties?._links;
      if (!linksProperty) {
        withoutLinks.push(operation.operationId);
        continue;
      }
      expect(body.required, operation.operationId).toContain('_links');
      for (const link of Object.values(linksProperty.properties!)) expect(link).toEqual({ $ref: '#/components/schemas/Link' });
    }
    expect(withoutLinks).toEqual(['initiate_payment']);
  });

  it('names the shared shapes and each other answer as components, and every $ref resolves', () => {
    expect(Object.keys(schemas).sort()).toEqual(
      [
        'Column',
        'Dataset',
        'Error',
        'Invoice',
        'InvoiceSummary',
        'Link',
        'ListDatasetsResponse',
        'ListInvoicesResponse',
        'ListReportsResponse',
        'ListWorkflowsResponse',
        'Payment',
        'QueryDatasetResponse',
        'Report',
        'ReportSummary',
        'Workflow',
        'WorkflowRun',
      ].sort(),
    );
    const byId = Object.fromEntries(operations.map((o) => [o.operationId, Object.values(o.responses)[0]!.content!['application/json']!.schema]));
    for (const tool of ['read_report', 'create_report', 'update_report']) expect(byId[tool]).toEqual({ $ref: '#/components/schemas/Report' });
    for (const tool of ['read_invoice', 'dispute_invoice']) expect(byId[tool]).toEqual({ $ref: '#/components/schemas/Invoice' });
    expect(byId.trigger_workflow).toEqual({ $ref: '#/components/schemas/WorkflowRun' });
    expect(byId.initiate_payment).toEqual({ $ref: '#/components/schemas/Payment' });
    expect(schemas.Link).toMatchObject({ required: ['href', 'method', 'tool', 'title'], properties: { templated: { const: true } } });
    for (const ref of refs(doc)) expect(schemas[ref.replace('#/components/schemas/', '')], ref).toBeDefined();
  });

  it('describes error answers with the Error schema; 400 and 413 only with a body, 409 only where it can happen', () => {
    expect(resolve({ $ref: '#/components/schemas/Error' })).toMatchObject({ type: 'object', required: ['error'], properties: { error: { type: 'string' } } });
    const errorStatuses = Object.fromEntries(operations.map((o) => [o.operationId, Object.keys(o.responses).filter((s) => !s.startsWith('2'))]));
    expect(errorStatuses.list_reports).toEqual(['401', '403', '429', '503']);
    expect(errorStatuses.read_report).toEqual(['401', '403', '404', '429', '503']);
    expect(errorStatuses.dispute_invoice).toEqual(['400', '401', '403', '404', '409', '413', '429', '503']);
    expect(errorStatuses.initiate_payment).toEqual(['400', '401', '403', '413', '429', '503']);
    for (const operation of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!status.startsWith('2')) expect(response.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/Error' });
      }
    }
  });
});
