// The MCP server's tools for one authenticated call: every operation of the agents' API
// (lib/workspace/operations.ts) as a tool with the same input schema, run through the same
// authorization (scopes, rate limit, Cedar policy) and audit as the HTTP routes. A refusal comes
// back as a tool error carrying the same JSON body the HTTP API answers (error, description,
// scope), so the model can read it and the client can act on it.
import 'server-only';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ACTIONS } from '@/lib/scopes/actions';
import type { CallContext } from '@/lib/resource/call-context';
import { executeOperation, type Operation } from '@/lib/resource/operation';
import { answerBody } from '@/lib/http/json-answer';
import type { FoundToken } from '@/lib/tokens/find-token';
import { OPERATIONS, OPERATIONS_BY_ACTION } from '@/lib/workspace/operations';

type ToolResult = { content: { type: 'text'; text: string }[]; isError?: boolean };

/** One object schema for the tool: the path parameters and the body's fields side by side. */
export function toolInputSchema(operation: Operation): z.ZodObject {
  const params = operation.params?.shape ?? {};
  const input = operation.input instanceof z.ZodObject ? operation.input.shape : {};
  return z.object({ ...params, ...input });
}

function split(operation: Operation, args: Record<string, unknown>) {
  const paramNames = new Set(Object.keys(operation.params?.shape ?? {}));
  const params: Record<string, unknown> = {};
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) (paramNames.has(name) ? params : input)[name] = value;
  return { params, input };
}

export function createMcpServer(call: CallContext, token: FoundToken): McpServer {
  const server = new McpServer({ name: 'leash', version: '0.1.0' });
  for (const operation of OPERATIONS) {
    const spec = ACTIONS[operation.action];
    // TODO(mcp-output-schema): advertise `outputSchema: operation.output` (MCP 2025-06-18
    // structured tool output) once answers can carry `structuredContent`. Not with SDK 1.32: a tool
    // with an output schema must return `structuredContent` on every success (McpServer throws
    // "has an output schema but no structured content", and the SDK Client refuses such results
    // too), which changes what every tool result returns today, and McpServer would then parse each
    // answer against the schema on every call, in production too.
    server.registerTool(
      operation.tool,
      { title: spec.label, description: `${operation.description} Needs ${spec.scope}.`, inputSchema: toolInputSchema(operation).shape },
      async (args: Record<string, unknown>): Promise<ToolResult> => {
        const response = await executeOperation(call, token, 'mcp', operation, split(operation, args), OPERATIONS_BY_ACTION);
        return { content: [{ type: 'text', text: await answerBody(response) }], ...(response.ok ? {} : { isError: true }) };
      },
    );
  }
  return server;
}
