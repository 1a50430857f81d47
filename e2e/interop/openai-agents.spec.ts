// The OpenAI Agents SDK's MCP server connection (`MCPServerStreamableHttp` from @openai/agents, on
// MCP SDK v2, @modelcontextprotocol/client) against Leash's /mcp, used directly as an Agent uses
// it (`listTools`, `callTool`), without a model call. Two ways an Agents app connects:
//   1. its `authProvider` option: the SDK follows the 401 through discovery and registration, the
//      person allows in Chromium, the app's loopback callback completes with the SDK's `auth()`;
//   2. a backend worker with its own client-credentials token in `requestInit` headers.
// Backs the "OpenAI Agents SDK" snippets in docs/connect-your-agent.md.
// @see 64f3169 (Interop matrix): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { MCPServerStreamableHttp } from '@openai/agents';
import { auth } from '@modelcontextprotocol/client';
import { uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { clientCredentialsToken, registerMachineClient } from '../support/oauth';
import { LoopbackApp } from './support/loopback-app';
import { allowInBrowser, newPerson } from './support/person';

const CLIENT = { type: 'client', description: '@openai/agents' };
const tokenHash = "encode(sha256($1::bytea), 'hex')";

// Chromium, a sign-in and two MCP connections: more than the default 30 s on a loaded machine.
test.describe.configure({ timeout: 60_000 });

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
});

const datasetIds = (content: { type: string; text?: string }[]) => JSON.parse(content[0]!.text!).datasets.map((d: { id: string }) => d.id) as string[];

test('MCPServerStreamableHttp with authProvider: registration, consent in Chromium, loopback callback, listTools, callTool', async ({ page, request, baseURL }) => {
  test.info().annotations.push(CLIENT, { type: 'flow', description: 'authorization code + PKCE via DCR (MCP SDK v2 authProvider), loopback callback, listTools and callTool' });
  const person = await newPerson(request, baseURL!, 'openai-agents');
  const mcpUrl = `${baseURL}/mcp`;
  const app = await LoopbackApp.start('Agents SDK assistant');
  const server = new MCPServerStreamableHttp({ name: 'leash', url: mcpUrl, authProvider: app });

  // First run: no token. The SDK registers the app and asks it to send the person to consent.
  await expect(server.connect()).rejects.toThrow('Unauthorized');
  expect(app.authorizationUrls).toHaveLength(1);
  const authorize = app.authorizationUrls[0]!;
  expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
    response_type: 'code',
    code_challenge_method: 'S256',
    redirect_uri: app.redirectUrl,
    resource: mcpUrl, // RFC 8707
    // The first challenge's scope, plus offline_access because the app registered refresh_token
    // and Leash lists offline_access in scopes_supported (SDK v2's rule); and it asks for consent.
    scope: 'datasets:read invoices:read reports:read reports:write offline_access',
    prompt: 'consent',
  });
  // SDK v2 adds application_type itself, derived from the loopback redirect URI.
  expect(app.registered).toMatchObject({ client_name: 'Agents SDK assistant', redirect_uris: [app.redirectUrl], token_endpoint_auth_method: 'none', application_type: 'native' });

  await allowInBrowser(page, authorize.toString(), person, { agentName: 'Agents SDK assistant', callback: /^http:\/\/localhost:\d+\/callback\?/ });
  const callback = await app.nextCallback();
  expect(await auth(app, { serverUrl: mcpUrl, authorizationCode: callback.code, iss: callback.iss ?? undefined })).toBe('AUTHORIZED');
  expect(app.heldTokens).toMatchObject({ refresh_token: expect.stringMatching(/^lsh_rt_/) });

  try {
    await server.connect();
    const tools = await server.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['list_datasets', 'read_report', 'list_invoices']));
    const content = (await server.callTool('list_datasets', {})) as { type: string; text?: string }[];
    expect(datasetIds(content)).toContain('ds_sales_2026');
  } finally {
    await server.close();
    await app.close();
  }
  const audit = await testDb().query(
    `SELECT e.decision, e.details->>'tool' AS tool, u.email FROM audit_events e JOIN tokens t ON t.id = e.token_id JOIN users u ON u.id = e.user_id
      WHERE e.action = 'datasets.list' AND t.token_hash = ${tokenHash}`,
    [app.heldTokens!.access_token],
  );
  expect(audit.rows).toEqual([{ decision: 'ALLOW', tool: 'list_datasets', email: person.email.toLowerCase() }]);
});

test('MCPServerStreamableHttp with a client-credentials token in requestInit: listTools, callTool, and a tool outside the token’s scope is refused', async ({ request, baseURL }) => {
  test.info().annotations.push(CLIENT, { type: 'flow', description: 'client-credentials token for /mcp in requestInit headers, listTools, callTool, 403 insufficient_scope' });
  const worker = await registerMachineClient(request, { client_name: 'Agents SDK worker' });
  const token = await clientCredentialsToken(request, worker, { scope: 'datasets:read', resource: `${baseURL}/mcp` });
  const server = new MCPServerStreamableHttp({ name: 'leash', url: `${baseURL}/mcp`, requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  try {
    await server.connect();
    expect((await server.listTools()).map((t) => t.name)).toEqual(expect.arrayContaining(['list_datasets', 'list_reports']));
    const content = (await server.callTool('list_datasets', {})) as { type: string; text?: string }[];
    expect(datasetIds(content)).toContain('ds_sales_2026');
    // reports:read was not granted: Leash answers the HTTP request 403 with an insufficient_scope
    // challenge whose scope is what the token has plus what the tool needs (RFC 6750 §3.1, MCP
    // "Scope Challenge Handling"); with no auth provider to step up, the SDK surfaces it as is.
    await expect(server.callTool('list_reports', {})).rejects.toThrow('Insufficient scope: required "datasets:read reports:read"');
  } finally {
    await server.close();
  }
  const audit = await testDb().query(
    `SELECT action, decision FROM audit_events WHERE token_id = (SELECT id FROM tokens WHERE token_hash = ${tokenHash}) AND action IN ('datasets.list', 'reports.list') ORDER BY id`,
    [token],
  );
  expect(audit.rows).toEqual([
    { action: 'datasets.list', decision: 'ALLOW' },
    { action: 'reports.list', decision: 'DENY' },
  ]);
});
