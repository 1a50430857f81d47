// LangChain's MCP adapters (`MultiServerMCPClient`) against Leash's /mcp with an OAuth provider,
// as a LangChain app does it: the adapters (through MCP SDK v1, their dependency) follow the 401
// to discovery and registration and hand the app the authorization URL; the person allows in
// Chromium; the app's loopback callback gets the code and completes with the SDK's `auth()`; the
// tools load as LangChain tools and one is invoked. Backs the "LangChain" snippet in
// docs/connect-your-agent.md.
// @see 64f3169 (Interop matrix): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { MultiServerMCPClient } from '@langchain/mcp-adapters';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { LoopbackApp } from './support/loopback-app';
import { allowInBrowser, newPerson } from './support/person';

// Chromium, a sign-in and two MCP connections: more than the default 30 s on a loaded machine.
test.describe.configure({ timeout: 60_000 });

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
});

test('MultiServerMCPClient with an OAuth provider: registration, consent in Chromium, loopback callback, tools loaded, tool.invoke', async ({ page, request, baseURL }) => {
  test
    .info()
    .annotations.push(
      { type: 'client', description: '@langchain/mcp-adapters' },
      { type: 'flow', description: 'authorization code + PKCE via DCR (no application_type, http://localhost callback), getTools, tool.invoke' },
    );
  const person = await newPerson(request, baseURL!, 'langchain');
  const mcpUrl = `${baseURL}/mcp`;
  const app = await LoopbackApp.start('LangChain research agent');
  const client = new MultiServerMCPClient({ mcpServers: { leash: { url: mcpUrl, authProvider: app } } });
  try {
    // First run: no token. The adapters register the app and ask it to send the person to consent.
    await expect(client.getTools()).rejects.toThrow(/Unauthorized|Authentication failed/);
    expect(app.authorizationUrls).toHaveLength(1);
    const authorize = app.authorizationUrls[0]!;
    expect(authorize.origin + authorize.pathname).toBe(`${baseURL}/oauth/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      code_challenge_method: 'S256',
      redirect_uri: app.redirectUrl,
      resource: mcpUrl, // RFC 8707
      // The scope of the first 401 challenge (MCP "Scope Selection Strategy").
      scope: 'datasets:read invoices:read reports:read reports:write',
    });

    // The registration MCP SDK v1 sent for the app: no application_type, a loopback http redirect
    // URI. Leash records such a client as native (RFC 8252 §7.3) instead of refusing it as "web".
    const clientId = app.registered!.client_id!;
    // (SDK v1's schema keeps no application_type from the response: the database says what Leash recorded.)
    expect(app.registered).toMatchObject({ client_name: 'LangChain research agent', redirect_uris: [app.redirectUrl], token_endpoint_auth_method: 'none' });
    const agent = await testDb().query("SELECT name, registration::text, redirect_uris, metadata->>'application_type' AS application_type FROM agents WHERE client_id = $1", [clientId]);
    expect(agent.rows).toEqual([{ name: 'LangChain research agent', registration: 'DCR', redirect_uris: [app.redirectUrl], application_type: 'native' }]);

    // The person allows in Chromium; the app's callback server receives the code.
    await allowInBrowser(page, authorize.toString(), person, { agentName: 'LangChain research agent', callback: /^http:\/\/localhost:\d+\/callback\?/ });
    await expect(page.getByText('LangChain research agent is connected.')).toBeVisible();
    const callback = await app.nextCallback();
    expect(callback.iss).toBe(baseURL); // RFC 9207
    expect(await auth(app, { serverUrl: mcpUrl, authorizationCode: callback.code })).toBe('AUTHORIZED');
    // It registered refresh_token and the policy allows refresh: a refresh token without offline_access.
    expect(app.heldTokens).toMatchObject({ token_type: expect.stringMatching(/^bearer$/i), refresh_token: expect.stringMatching(/^lsh_rt_/) });

    // Second try: the tools load as LangChain tools, and one runs.
    const tools = await client.getTools();
    const listDatasets = tools.find((t) => t.name === 'list_datasets');
    expect(listDatasets, `tools: ${tools.map((t) => t.name).join(', ')}`).toBeDefined();
    const output = await listDatasets!.invoke({});
    const text = typeof output === 'string' ? output : JSON.stringify(output);
    expect(text).toContain('ds_sales_2026');

    const audit = await testDb().query(
      `SELECT e.decision, e.details->>'tool' AS tool, u.email FROM audit_events e JOIN tokens t ON t.id = e.token_id JOIN users u ON u.id = e.user_id
        WHERE e.action = 'datasets.list' AND t.token_hash = encode(sha256($1::bytea), 'hex')`,
      [app.heldTokens!.access_token],
    );
    expect(audit.rows).toEqual([{ decision: 'ALLOW', tool: 'list_datasets', email: person.email.toLowerCase() }]);
  } finally {
    await client.close();
    await app.close();
  }
});
