// The `_links` of the agents' API answers (HAL style) as zod schemas: one Link shape shared by
// every answer (a named component of the OpenAPI document), and per operation the relations its
// answer may carry. Each relation is optional because a link appears only when the token may take
// that action now (scope and policy: lib/resource/operation.ts builds them).
import { z } from 'zod';

export const linkSchema = z.strictObject({
  href: z.string().describe('Absolute URL of the action; an RFC 6570 URI template when `templated` is true.'),
  method: z.enum(['GET', 'POST', 'PATCH']).describe('The HTTP method of the action.'),
  tool: z.string().describe('The MCP tool at /mcp that takes the same action.'),
  title: z.string(),
  templated: z.literal(true).optional().describe('Present when `href` has {placeholders} to fill in.'),
});

export type Link = z.infer<typeof linkSchema>;

/** `_links` with these relations, each present only when the token may follow it now. */
export function linksSchema<const R extends string>(...rels: R[]) {
  const shape = Object.fromEntries(rels.map((rel) => [rel, linkSchema.optional()])) as { [K in R]: z.ZodOptional<typeof linkSchema> };
  return z.strictObject(shape).describe('The next actions this token may take now, by relation; a relation it may not take is absent.');
}
