// Whether an operation's answer matches its output schema, the one the OpenAPI document publishes
// (GET /api/v1/openapi.json), so the document cannot promise fields a handler does not send or
// leave out fields it does. Where it runs (config `checkResponses`, LEASH_CHECK_RESPONSES): under
// `npm run dev`, in Vitest and in the e2e servers (playwright.config.ts), so every answer any test
// provokes, over HTTP or MCP, is checked. Not in production by default: a parse per answer is a
// cost on the read path the benchmark measures, for a guarantee the tests already give.
import 'server-only';
import type { z } from 'zod';

export class ResponseSchemaError extends Error {
  constructor(
    readonly tool: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    const listed = issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
    super(`The answer of ${tool} does not match its output schema: ${listed}.`);
  }
}

/** Throws ResponseSchemaError unless `body`, as it will be sent (JSON), parses with `output`. */
export function checkResponse(operation: { tool: string; output: z.ZodType }, body: unknown): void {
  // The JSON form, not the object: what the client receives (a Date becomes a string, an
  // undefined field disappears), so the check judges the wire and nothing else.
  const sent: unknown = JSON.parse(JSON.stringify(body));
  const parsed = operation.output.safeParse(sent);
  if (!parsed.success) throw new ResponseSchemaError(operation.tool, parsed.error.issues);
}
