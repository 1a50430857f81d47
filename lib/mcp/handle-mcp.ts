// POST|GET|DELETE /mcp: the MCP server (Streamable HTTP, stateless, JSON responses). The bearer
// token is checked for every HTTP request (audience `$LEASH_ISSUER/mcp`); each tool call is then
// authorized on its own. A plain Web Request → Response function, like every protocol endpoint.
import 'server-only';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { createMcpServer } from '@/lib/mcp/create-mcp-server';
import { authenticateBearer } from '@/lib/resource/authenticate-bearer';
import { callContext } from '@/lib/resource/call-context';
import { failClosed } from '@/lib/resource/record-call';

const CONNECT = { action: 'mcp.request', scopes: [] as string[] };

export async function handleMcp(request: Request): Promise<Response> {
  const call = callContext(request);
  try {
    const authenticated = await authenticateBearer(call, 'mcp', CONNECT);
    if ('refused' in authenticated) return authenticated.refused;
    const server = createMcpServer(call, authenticated.token);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    const response = await transport.handleRequest(request);
    response.headers.set('X-Request-Id', call.requestId);
    return response;
  } catch (error) {
    return failClosed(call, CONNECT, error);
  }
}
