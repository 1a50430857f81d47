// The MCP server with the real MCP TypeScript SDK client (Streamable HTTP): tokens for /mcp only,
// each tool call authorized and audited like the HTTP API.
// @see 6313423 (MCP server at /mcp (Streamable HTTP with the MCP SDK)): the commit whose behaviour these tests guard.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { testDb } from '../support/db';
import { clientCredentialsToken, registerMachineClient } from '../support/oauth';

async function mcpToken(request: APIRequestContext, baseURL: string, scope: string) {
  const client = await registerMachineClient(request);
  return clientCredentialsToken(request, client, { scope, resource: `${baseURL}/mcp` });
}

async function connect(baseURL: string, token?: string) {
  const client = new Client({ name: 'leash-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', baseURL), {
    requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : undefined,
  });
  await client.connect(transport);
  return client;
}

test('an MCP client lists the tools and calls one with a token for /mcp', async ({ request, baseURL }) => {
  const token = await mcpToken(request, baseURL!, 'datasets:read reports:read');
  const client = await connect(baseURL!, token);
  try {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'create_report',
      'dispute_invoice',
      'initiate_payment',
      'list_datasets',
      'list_invoices',
      'list_reports',
      'list_workflows',
      'query_dataset',
      'read_invoice',
      'read_report',
      'trigger_workflow',
      'update_report',
    ]);
    const result = await client.callTool({ name: 'list_datasets', arguments: {} });
    expect(result.isError).toBeFalsy();
    const text = (result.content as { type: string; text: string }[])[0]!.text;
    expect(JSON.parse(text).datasets.map((d: { id: string }) => d.id)).toContain('ds_sales_2026');
  } finally {
    await client.close();
  }
  const { rows } = await testDb().query(
    "SELECT decision, details->>'tool' AS tool FROM audit_events WHERE action = 'datasets.list' AND token_id = (SELECT id FROM tokens WHERE token_hash = encode(sha256($1::bytea), 'hex'))",
    [token],
  );
  expect(rows).toEqual([{ decision: 'ALLOW', tool: 'list_datasets' }]);
});

test('a tool the token has no scope for answers HTTP 403 with an insufficient_scope challenge before it runs, and is audited (MCP "Scope Challenge Handling", RFC 6750 §3.1)', async ({
  request,
  baseURL,
}) => {
  const token = await mcpToken(request, baseURL!, 'reports:read');
  // An SDK client without an auth provider surfaces the 403 as an error naming it.
  const client = await connect(baseURL!, token);
  try {
    await expect(client.callTool({ name: 'list_datasets', arguments: {} })).rejects.toThrow(/insufficient_scope/);
  } finally {
    await client.close();
  }
  // The same call over plain HTTP: the exact challenge a client steps up with.
  const response = await request.post('/mcp', {
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    data: { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'list_datasets', arguments: {} } },
  });
  expect(response.status()).toBe(403);
  expect(response.headers()['cache-control']).toBe('no-store');
  // The held scope plus the missing one, so a client that replaces its scope keeps what it had.
  expect(response.headers()['www-authenticate']).toBe(
    `Bearer realm="leash", resource_metadata="${baseURL}/.well-known/oauth-protected-resource/mcp", error="insufficient_scope", error_description="The tool list_datasets needs the scope datasets:read.", scope="datasets:read reports:read"`,
  );
  expect(await response.json()).toEqual({ error: 'insufficient_scope', error_description: 'The tool list_datasets needs the scope datasets:read.', scope: 'datasets:read reports:read' });
  const requestId = response.headers()['x-request-id'];
  const { rows } = await testDb().query('SELECT action, decision, scopes, reason FROM audit_events WHERE request_id = $1', [requestId]);
  expect(rows).toEqual([{ action: 'datasets.list', decision: 'DENY', scopes: ['datasets:read'], reason: 'missing scope (needs datasets:read)' }]);
  // Nothing ran: no ALLOW row for this token.
  const allowed = await testDb().query(
    "SELECT count(*)::int AS n FROM audit_events WHERE decision = 'ALLOW' AND action = 'datasets.list' AND token_id = (SELECT id FROM tokens WHERE token_hash = encode(sha256($1::bytea), 'hex'))",
    [token],
  );
  expect(allowed.rows[0].n).toBe(0);
});

test('a scope implied by a held one passes the scope gate (reports:write ⊃ reports:read), and tools/list needs no tool scope', async ({ request, baseURL }) => {
  const token = await mcpToken(request, baseURL!, 'reports:write');
  const client = await connect(baseURL!, token);
  try {
    expect((await client.listTools()).tools.length).toBe(12);
    // Not a 403 scope challenge: the call reaches the operation, which refuses a token with no
    // user behind it (client credentials) as a tool error.
    const result = await client.callTool({ name: 'list_reports', arguments: {} });
    expect(result.isError).toBe(true);
    expect(JSON.parse((result.content as { text: string }[])[0]!.text)).toMatchObject({ error: 'access_denied' });
  } finally {
    await client.close();
  }
});

test('without a token, or with a token for /api, the MCP endpoint answers 401 with the resource metadata', async ({ request, baseURL }) => {
  const bare = await request.post('/mcp', {
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    data: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
  });
  expect(bare.status()).toBe(401);
  expect(bare.headers()['www-authenticate']).toContain(`resource_metadata="${baseURL}/.well-known/oauth-protected-resource/mcp"`);
  // What a spec-following MCP client then asks for: every scope the tools need but the high-risk
  // ones (workflows:trigger, invoices:write, payments:write), which come by step-up.
  expect(bare.headers()['www-authenticate']).toContain('scope="datasets:read invoices:read reports:read reports:write"');

  const client = await registerMachineClient(request);
  const apiToken = await clientCredentialsToken(request, client, { scope: 'datasets:read' });
  await expect(connect(baseURL!, apiToken)).rejects.toThrow();
});
