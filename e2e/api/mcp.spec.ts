// The MCP server with the real MCP TypeScript SDK client (Streamable HTTP): tokens for /mcp only,
// each tool call authorized and audited like the HTTP API.
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
      'create_report', 'dispute_invoice', 'initiate_payment', 'list_datasets', 'list_invoices', 'list_reports',
      'list_workflows', 'query_dataset', 'read_invoice', 'read_report', 'trigger_workflow', 'update_report',
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

test('a tool the token has no scope for comes back as a tool error, and is audited', async ({ request, baseURL }) => {
  const token = await mcpToken(request, baseURL!, 'reports:read');
  const client = await connect(baseURL!, token);
  try {
    const result = await client.callTool({ name: 'list_datasets', arguments: {} });
    expect(result.isError).toBe(true);
    const body = JSON.parse((result.content as { text: string }[])[0]!.text);
    expect(body).toMatchObject({ error: 'insufficient_scope', scope: 'datasets:read' });
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
  expect(bare.headers()['www-authenticate']).toContain('scope="datasets:read reports:read"'); // what a spec-following MCP client then asks for

  const client = await registerMachineClient(request);
  const apiToken = await clientCredentialsToken(request, client, { scope: 'datasets:read' });
  await expect(connect(baseURL!, apiToken)).rejects.toThrow();
});
