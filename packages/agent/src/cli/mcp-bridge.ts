// `leash mcp`: a stdio ⇄ Streamable HTTP bridge for MCP clients that only start local processes.
// The client writes JSON-RPC to our stdin (MCP stdio transport: one message per line) and reads our
// stdout; each message goes to the MCP server over Streamable HTTP (MCP 2025-06-18 "Transports")
// through the agent's fetch, which adds the DPoP-bound token, refreshes it, and handles the
// refusals an agent can act on. stdout carries the protocol and nothing else: every word for the
// person (an approval to give, a session that ended) goes to stderr, which clients show in their
// MCP logs.
//
// Approvals. A tool that needs the person's approval or a second factor is refused either at the
// HTTP level (403 approval_required, 401 insufficient_user_authentication: agent.fetch asks and
// retries) or, as Leash's /mcp does, as a tool error whose text is the same JSON refusal. For the
// second kind the bridge does what agent.fetch does: asks the person through CIBA (binding message
// naming the tool and its arguments, shown on stderr), waits, and sends the same tools/call once
// more with the just-in-time token. A denial or an expiry comes back to the client as a tool error.
//
// A session that ends (revoked, kill switch, logout) stops the bridge: the pending request gets a
// JSON-RPC error, stderr says why and how to sign in again, and the process exits with status 1.
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ApprovalOptions, LeashAgent } from '../agent.js';
import { ApprovalDeniedError, ApprovalExpiredError, LeashError, OAuthProtocolError, SessionEndedError } from '../errors.js';
import type { Refusal } from '../www-authenticate.js';

export type BridgeOptions = {
  agent: LeashAgent;
  /** The MCP endpoint (Streamable HTTP). */
  url: string;
  stdin?: Readable;
  stdout?: Writable;
  /** One line for the person (stderr). */
  log?: (line: string) => void;
};

type ToolCall = { id: string | number; name: string; arguments: unknown };

/** Runs until stdin ends (0) or the session ends (1). */
export async function runMcpBridge(options: BridgeOptions): Promise<number> {
  const { agent, url } = options;
  const stdin = options.stdin ?? process.stdin;
  const log = options.log ?? ((line: string) => process.stderr.write(`leash mcp: ${line}\n`));
  const stdio = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
  const http = new StreamableHTTPClientTransport(new URL(url), { fetch: (input, init) => bridgeFetch(agent, input, init, log) });
  const initializeIds = new Set<string | number>();

  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  stdin.once('end', () => finish(0));

  http.onmessage = (message) => {
    // The server's protocol version goes on every later request (MCP-Protocol-Version header).
    if (isJSONRPCResultResponse(message) && initializeIds.delete(message.id) && typeof message.result.protocolVersion === 'string') http.setProtocolVersion(message.result.protocolVersion);
    void stdio.send(message);
  };
  // (A failed send is reported once, below, with the request it failed.)
  http.onerror = (error) => {
    if (!(error instanceof LeashError)) log(`the MCP server connection: ${error.message}`);
  };
  stdio.onerror = (error) => log(`stdin: ${error.message}`);
  stdio.onmessage = (message: JSONRPCMessage) => {
    if (isJSONRPCRequest(message) && message.method === 'initialize') initializeIds.add(message.id);
    http.send(message).catch(async (error: unknown) => {
      const ended = error instanceof SessionEndedError;
      const text = ended ? `${error.message.replace(/\.$/, '')}. Run \`npx leash login\` to sign in again.` : error instanceof Error ? error.message : String(error);
      log(text);
      // The client waits for an answer to each request: it gets one, an error (JSON-RPC 2.0 §5.1).
      if (isJSONRPCRequest(message)) await stdio.send({ jsonrpc: '2.0', id: message.id, error: { code: ended ? -32001 : -32603, message: text } });
      if (ended) finish(1);
    });
  };

  await http.start();
  await stdio.start();
  const code = await finished;
  await http.close().catch(() => undefined);
  await stdio.close().catch(() => undefined);
  return code;
}

/** The agent's fetch, plus the tool-error refusals of servers that answer them inside a 200 (Leash's /mcp). */
async function bridgeFetch(agent: LeashAgent, input: string | URL, init: RequestInit | undefined, log: (line: string) => void): Promise<Response> {
  const url = input.toString();
  const call = toolCall(init);
  const approval: ApprovalOptions = {
    bindingMessage: call ? describeCall(call) : undefined,
    onPending: ({ bindingMessage, expiresIn }) => log(`waiting for your approval in Leash (Approvals, within ${Math.round(expiresIn / 60)} min): "${bindingMessage}"`),
  };
  const response = await agent.fetch(url, { ...init, approval });
  if (!call || !response.ok || !response.headers.get('content-type')?.includes('application/json')) return response;
  const refusal = toolRefusal(
    await response
      .clone()
      .json()
      .catch(() => null),
    call.id,
  );
  if (!refusal) return response;
  try {
    const tokens = await agent.approve('POST', url, refusal, approval);
    log(`approved: "${approval.bindingMessage}"`);
    return await agent.fetchWith(tokens, url, init);
  } catch (error) {
    // Refused or not decided: the tool did not run, and the client reads why. Anything else (the session ended) goes up.
    if (!(error instanceof ApprovalDeniedError || error instanceof ApprovalExpiredError || error instanceof OAuthProtocolError)) throw error;
    log(error.message);
    return toolErrorResponse(call.id, error);
  }
}

function toolCall(init: RequestInit | undefined): ToolCall | null {
  if ((init?.method ?? 'GET').toUpperCase() !== 'POST' || typeof init?.body !== 'string') return null;
  let message: unknown;
  try {
    message = JSON.parse(init.body);
  } catch {
    return null;
  }
  if (!isJSONRPCRequest(message) || message.method !== 'tools/call') return null;
  const params = (message.params ?? {}) as { name?: unknown; arguments?: unknown };
  return typeof params.name === 'string' ? { id: message.id, name: params.name, arguments: params.arguments ?? {} } : null;
}

/** What the person reads in their inbox (CIBA §7.1 binding_message; the SDK shortens it to 200 characters). */
function describeCall(call: ToolCall): string {
  const args = JSON.stringify(call.arguments);
  return `Run the MCP tool ${call.name}${args && args !== '{}' ? ` with ${args}` : ''}`;
}

/** The refusal a tool result carries as its text (Leash's /mcp: the HTTP API's JSON body), when it is one the person can lift. */
function toolRefusal(body: unknown, id: string | number): Refusal | null {
  if (!isJSONRPCResultResponse(body) || body.id !== id) return null;
  const result = body.result as { isError?: boolean; content?: { type?: string; text?: string }[] };
  const text = result.isError ? result.content?.find((c) => c.type === 'text')?.text : undefined;
  if (!text) return null;
  let refusal: Partial<Refusal>;
  try {
    refusal = JSON.parse(text) as Partial<Refusal>;
  } catch {
    return null;
  }
  if (refusal.error !== 'approval_required' && refusal.error !== 'insufficient_user_authentication') return null;
  return { status: refusal.error === 'approval_required' ? 403 : 401, challenges: [], ...refusal, error: refusal.error };
}

/** A tool result that says why the tool did not run (the model reads it; the client shows it). */
function toolErrorResponse(id: string | number, error: LeashError): Response {
  const description = error instanceof OAuthProtocolError ? (error.description ?? error.message) : error.message;
  const result = { content: [{ type: 'text', text: JSON.stringify({ error: error.code, error_description: description }) }], isError: true };
  return Response.json({ jsonrpc: '2.0', id, result });
}
