// The check behind "the OpenAPI document's answers are true": it judges the JSON an answer
// becomes, and names what does not match.
import { describe, expect, it } from 'vitest';
import { checkResponse, ResponseSchemaError } from '@/lib/resource/check-response';
import { reportSchema } from '@/lib/workspace/workspace-outputs';

const operation = { tool: 'read_report', output: reportSchema };
const report = {
  id: '0190f3a2-7b1c-7d4e-8f00-123456789abc',
  title: 'Q3 revenue',
  dataset_id: 'ds_sales_2026',
  body: 'Revenue grew.',
  written_by_agent: false,
  created_at: '2026-11-02T10:00:00.000Z',
  updated_at: '2026-11-02T10:00:00.000Z',
  _links: { collection: { href: 'http://localhost:3000/api/v1/reports', method: 'GET', tool: 'list_reports', title: 'List reports' } },
};

describe('checkResponse', () => {
  it('accepts an answer that matches, judged as JSON (a Date is its ISO string, an undefined field is absent)', () => {
    expect(() => checkResponse(operation, report)).not.toThrow();
    expect(() => checkResponse(operation, { ...report, created_at: new Date('2026-11-02T10:00:00Z'), _links: { ...report._links, self: undefined } })).not.toThrow();
  });

  it('refuses a field the schema does not document, a missing one and a wrong type, naming each', () => {
    const { title: _title, ...untitled } = report;
    const cases: [unknown, string][] = [
      [{ ...report, author: 'x' }, 'The answer of read_report does not match its output schema: (body): Unrecognized key: "author".'],
      [untitled, 'The answer of read_report does not match its output schema: title: Invalid input: expected string, received undefined.'],
      [{ ...report, _links: { collection: { ...report._links.collection, method: 'DELETE' } } }, '_links.collection.method: Invalid option: expected one of "GET"|"POST"|"PATCH"'],
    ];
    for (const [body, message] of cases) {
      expect(() => checkResponse(operation, body)).toThrow(ResponseSchemaError);
      expect(() => checkResponse(operation, body)).toThrow(message);
    }
  });
});
