// POST|GET|DELETE /mcp: the MCP server (Streamable HTTP, stateless, JSON responses). The bearer
// token is checked for every HTTP request (audience `$LEASH_ISSUER/mcp`); each tool call is then
// authorized on its own. A plain Web Request → Response function, like every protocol endpoint.
import 'server-only';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { createMcpServer } from '@/lib/mcp/create-mcp-server';
import { MCP_FIRST_SCOPE, missingToolScope } from '@/lib/mcp/tool-scopes';
import { authenticateBearer } from '@/lib/resource/authenticate-bearer';
import { callContext, recordRefusal } from '@/lib/resource/call-context';
import { ResourceRefusal } from '@/lib/resource/refusal';
import { failClosed } from '@/lib/resource/record-call';
import { BodyNotUtf8Error, BodyTooLargeError, readBodyText } from '@/lib/http/read-body';

const CONNECT = { action: 'mcp.request' as const, scopes: [] as string[] };
const MAX_BODY_BYTES = 1024 * 1024;

export async function handleMcp(request: Request): Promise<Response> {
  const call = callContext(request);
  try {
    // The first challenge names the scopes of the tools a client will list (MCP authorization,
    // "Scope Selection Strategy": clients ask for exactly the challenge's scope).
    const authenticated = await authenticateBearer(call, 'mcp', CONNECT, MCP_FIRST_SCOPE);
    if ('refused' in authenticated) return authenticated.refused;
    const { token } = authenticated;

    let parsedBody: unknown;
    let forward = request;
    if (request.method === 'POST') {
      let text: string;
      try {
        text = await readBodyText(request, MAX_BODY_BYTES);
      } catch (error) {
        if (error instanceof BodyTooLargeError) return jsonRpcError(413, -32600, 'The request body is too large.');
        if (error instanceof BodyNotUtf8Error) return jsonRpcError(400, -32700, 'Parse error: the body is not UTF-8.');
        throw error;
      }
      try {
        parsedBody = JSON.parse(text);
      } catch {
        // The transport answers the JSON-RPC parse error itself.
        forward = new Request(request.url, { method: 'POST', headers: request.headers, body: text });
      }
    }

    // A tool the token lacks the scope for is refused at the HTTP level, before the server runs:
    // 403 with an insufficient_scope challenge (RFC 6750 §3.1; MCP authorization, "Scope Challenge
    // Handling"), so MCP clients run their step-up authorization instead of reading a tool error.
    const missing = missingToolScope(parsedBody, token.scopes);
    if (missing) {
      const refused = new ResourceRefusal('insufficient_scope', `The tool ${missing.tool} needs the scope ${missing.scope}.`, {
        status: 403,
        challenge: { scheme: 'Bearer', resource: 'mcp' },
        scope: missing.challengeScope,
      });
      return await recordRefusal(call, { refused, reason: `missing scope (needs ${missing.scope})`, action: missing.action, scopes: [missing.scope], token });
    }

    const server = createMcpServer(call, token);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    const response = await transport.handleRequest(forward, parsedBody === undefined ? undefined : { parsedBody });
    response.headers.set('X-Request-Id', call.requestId);
    return response;
  } catch (error) {
    return failClosed(call, CONNECT, error);
  }
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status, headers: { 'Cache-Control': 'no-store' } });
}
