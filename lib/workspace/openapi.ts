// The OpenAPI 3.1 description of the agents' API (`GET /api/v1/openapi.json`), generated from the
// operations' own zod schemas (lib/workspace/operations.ts), so it cannot drift from what the
// routes accept. Security is OAuth 2.0 with the authorization server's endpoints and, per
// operation, the one scope it needs; `x-leash-*` extensions name the MCP tool and default risk.
import 'server-only';
import { z } from 'zod';
import { getConfig } from '@/lib/config/config';
import { ACTIONS } from '@/lib/policy/actions';
import { SCOPES } from '@/lib/oauth/scopes';
import { OPERATIONS } from '@/lib/workspace/operations';

const schemaOf = (schema: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

export function openApiDocument() {
  const { issuer } = getConfig();
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
        [status]: { description: 'Done. `_links` lists the next actions this token may take.', content: { 'application/json': { schema: { type: 'object' } } } },
        '400': errorResponse('Invalid request body (`invalid_request`).'),
        '401': errorResponse('No, invalid, expired or revoked token (`invalid_token`), or a second factor is needed (`insufficient_user_authentication`, RFC 9470).'),
        '403': errorResponse('Missing scope (`insufficient_scope`), denied by policy (`access_denied`), or the user must approve (`approval_required`).'),
        ...(parameters.length ? { '404': errorResponse('No such item in this workspace (`not_found`).') } : {}),
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
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: { type: 'string' },
            error_description: { type: 'string' },
            scope: { type: 'string', description: 'With insufficient_scope: every scope the operation needs.' },
            policy_rule: { type: 'string', description: 'The policy rule that decided.' },
            acr_values: { type: 'string', description: 'With insufficient_user_authentication: the assurance to get.' },
          },
        },
      },
    },
  };
}
