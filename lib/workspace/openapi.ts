// The OpenAPI 3.1 description of the agents' API (`GET /api/v1/openapi.json`), generated from the
// operations' own zod schemas (lib/workspace/operations.ts): what each route accepts (`io: 'input'`)
// and what it answers (`io: 'output'`, the schema answers are checked against outside production),
// so it cannot drift from either. Answers and errors are named components (`components.schemas`),
// so generated clients get named types. Security is OAuth 2.0 with the authorization server's
// endpoints and, per operation, the one scope it needs; `x-leash-*` extensions name the MCP tool
// and default risk.
import 'server-only';
import { z } from 'zod';
import { getConfig } from '@/lib/config/config';
import { ACTIONS } from '@/lib/scopes/actions';
import { SCOPES } from '@/lib/scopes/scopes';
import { errorBodySchema } from '@/lib/resource/error-body';
import { linkSchema } from '@/lib/resource/link-schema';
import { MAX_INPUT_BYTES, type Operation } from '@/lib/resource/operation';
import { OPERATIONS } from '@/lib/workspace/operations';
import { WORKSPACE_COMPONENTS } from '@/lib/workspace/workspace-outputs';

const schemaOf = (schema: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });
const pascalCase = (snake: string) => snake.replace(/(^|_)(\w)/g, (_, _sep: string, letter: string) => letter.toUpperCase());

type Components = { schemas: Record<string, Record<string, unknown>>; responseOf: Map<Operation, string> };
let components: Components | undefined;

/**
 * Every answer's schema, converted in one pass so that a shape used twice (a report, an invoice,
 * a link) is one named component referenced by `$ref`. An answer that is not a named shape is
 * named after its operation: `list_reports` answers a `ListReportsResponse`. Independent of the
 * issuer, so built once.
 */
function responseComponents(): Components {
  if (components) return components;
  const registry = z.registry<{ id: string }>();
  registry.add(linkSchema, { id: 'Link' });
  registry.add(errorBodySchema, { id: 'Error' });
  for (const [id, schema] of Object.entries(WORKSPACE_COMPONENTS)) registry.add(schema, { id });
  const responseOf = new Map<Operation, string>();
  for (const operation of OPERATIONS) {
    let id = registry.get(operation.output)?.id;
    if (!id) registry.add(operation.output, { id: (id = `${pascalCase(operation.tool)}Response`) });
    responseOf.set(operation, id);
  }
  const converted = z.toJSONSchema(registry, { io: 'output', uri: (id) => ref(id).$ref }).schemas;
  const schemas = Object.fromEntries(Object.entries(converted).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema as Record<string, unknown>]));
  return (components = { schemas, responseOf });
}

export function openApiDocument() {
  const { issuer } = getConfig();
  const { schemas, responseOf } = responseComponents();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    const spec = ACTIONS[operation.action];
    const parameters = Object.entries(operation.params?.shape ?? {}).map(([name, schema]) => ({
      name,
      in: 'path',
      required: true,
      schema: schemaOf(schema as z.ZodType),
      description: (schema as z.ZodType).description,
    }));
    const status = String(operation.status ?? 200);
    (paths[`/api/v1${operation.path}`] ??= {})[operation.method.toLowerCase()] = {
      operationId: operation.tool,
      summary: spec.label,
      description: operation.description,
      tags: [spec.kind === 'payment' ? 'payments' : `${spec.kind}s`],
      security: [{ oauth2: [spec.scope] }],
      'x-leash-action': operation.action,
      'x-leash-mcp-tool': operation.tool,
      'x-leash-default-risk': spec.defaultTier,
      ...(parameters.length ? { parameters } : {}),
      ...(operation.input ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(operation.input) } } } } : {}),
      responses: {
        [status]: {
          description: 'Done. `_links`, where the answer has them, lists the next actions this token may take now.',
          content: { 'application/json': { schema: ref(responseOf.get(operation)!) } },
        },
        // Only a body makes a 400 here: a malformed Authorization header is answered 401 (lib/resource/authenticate-bearer.ts).
        ...(operation.input ? { '400': errorResponse('Invalid request body (`invalid_request`).') } : {}),
        '401': errorResponse(
          'No, invalid, expired or revoked token (`invalid_token`), a missing or wrong DPoP proof (`invalid_dpop_proof`, `use_dpop_nonce`), or a second factor is needed (`insufficient_user_authentication`, RFC 9470).',
        ),
        '403': errorResponse('Missing scope (`insufficient_scope`), denied by policy (`access_denied`), or the user must approve (`approval_required`).'),
        ...(parameters.length ? { '404': errorResponse('No such item in this workspace (`not_found`).') } : {}),
        ...(operation.conflict ? { '409': errorResponse(operation.conflict) } : {}),
        ...(operation.input ? { '413': errorResponse(`The request body is over ${MAX_INPUT_BYTES / 1024} KiB (\`invalid_request\`).`) } : {}),
        '429': errorResponse('The agent’s rate limit or quota is reached (`rate_limited`); see Retry-After and RateLimit.'),
        '503': errorResponse('The decision could not be made or recorded (`temporarily_unavailable`): nothing was done.'),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Leash sample workspace API',
      version: '1.0.0',
      description:
        'The API AI agents call on behalf of a user. Every call is checked against the user’s policy for the agent and written to a tamper-evident audit log. Send the instruction behind a call in an `Agent-Intent` header if you have one. The same operations are MCP tools at /mcp.',
    },
    servers: [{ url: issuer }],
    paths,
    components: {
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          description: `Discover everything from ${issuer}/.well-known/oauth-protected-resource/api (RFC 9728). Tokens must name the audience ${issuer}/api (RFC 8707 \`resource\`).`,
          flows: {
            authorizationCode: {
              authorizationUrl: `${issuer}/oauth/authorize`,
              tokenUrl: `${issuer}/oauth/token`,
              refreshUrl: `${issuer}/oauth/token`,
              scopes: Object.fromEntries(Object.entries(SCOPES).map(([scope, s]) => [scope, s.description])),
            },
          },
        },
      },
      schemas,
    },
  };
}
