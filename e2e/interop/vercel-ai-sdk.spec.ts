// The Vercel AI SDK's MCP client (`createMCPClient` from @ai-sdk/mcp, its own OAuth implementation,
// Streamable HTTP transport) against Leash's /mcp with an auth provider, as an AI SDK app does it:
// the first connection follows the 401 to discovery and registration and hands the app the
// authorization URL; the person allows in Chromium; the app's loopback callback gets the code and
// completes with the SDK's `auth()` (state and RFC 9207 `iss` checked by the SDK); the next
// connection lists the tools and one tool's `execute` runs, as `generateText` would run it.
// Backs the "Vercel AI SDK" snippet in docs/connect-your-agent.md.
// @see 64f3169 (Interop matrix): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { auth, createMCPClient } from '@ai-sdk/mcp';
import { uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { LoopbackApp } from './support/loopback-app';
import { allowInBrowser, newPerson } from './support/person';

// Chromium, a sign-in and two MCP connections: more than the default 30 s on a loaded machine.
test.describe.configure({ timeout: 60_000 });

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
});

test('createMCPClient with an auth provider: registration, consent in Chromium, loopback callback, tools(), execute', async ({ page, request, baseURL }) => {
  test
    .info()
    .annotations.push({ type: 'client', description: '@ai-sdk/mcp' }, { type: 'flow', description: 'authorization code + PKCE via DCR, loopback callback, Streamable HTTP tools() and execute' });
  const person = await newPerson(request, baseURL!, 'ai-sdk');
  const mcpUrl = `${baseURL}/mcp`;
  const app = await LoopbackApp.start('AI SDK assistant');
  const connect = () => createMCPClient({ transport: { type: 'http', url: mcpUrl, authProvider: app } });

  // First run: no token. The SDK registers the app and asks it to send the person to consent.
  await expect(connect()).rejects.toThrow('Unauthorized');
  expect(app.authorizationUrls).toHaveLength(1);
  const authorize = app.authorizationUrls[0]!;
  expect(authorize.origin + authorize.pathname).toBe(`${baseURL}/oauth/authorize`);
  expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
    response_type: 'code',
    code_challenge_method: 'S256',
    redirect_uri: app.redirectUrl,
    resource: mcpUrl, // RFC 8707
    scope: 'datasets:read invoices:read reports:read reports:write', // the first 401 challenge's
  });
  // The SDK adds application_type itself, derived from the loopback redirect URI.
  const clientId = app.registered!.client_id!;
  expect(app.registered).toMatchObject({ client_name: 'AI SDK assistant', redirect_uris: [app.redirectUrl], token_endpoint_auth_method: 'none', application_type: 'native' });
  const agent = await testDb().query('SELECT name, registration::text, grant_types FROM agents WHERE client_id = $1', [clientId]);
  expect(agent.rows).toEqual([{ name: 'AI SDK assistant', registration: 'DCR', grant_types: ['authorization_code', 'refresh_token'] }]);

  // The person allows; the app's callback server receives the code; the SDK redeems it.
  await allowInBrowser(page, authorize.toString(), person, { agentName: 'AI SDK assistant', callback: /^http:\/\/localhost:\d+\/callback\?/ });
  const callback = await app.nextCallback();
  expect(await auth(app, { serverUrl: mcpUrl, authorizationCode: callback.code, callbackState: callback.state ?? undefined, callbackIssuer: callback.iss ?? undefined })).toBe('AUTHORIZED');
  expect(app.heldTokens).toMatchObject({ refresh_token: expect.stringMatching(/^lsh_rt_/) });

  const client = await connect();
  try {
    const tools = await client.tools();
    expect(Object.keys(tools)).toEqual(expect.arrayContaining(['list_datasets', 'read_report', 'list_invoices']));
    const result = (await tools.list_datasets!.execute!({}, { toolCallId: 'call-1', messages: [], context: {} })) as { isError?: boolean; content: { type: string; text: string }[] };
    expect(result.isError).toBeFalsy();
    expect(JSON.parse(result.content[0]!.text).datasets.map((d: { id: string }) => d.id)).toContain('ds_sales_2026');
  } finally {
    await client.close();
    await app.close();
  }
  const audit = await testDb().query(
    `SELECT e.decision, e.details->>'tool' AS tool, u.email FROM audit_events e JOIN tokens t ON t.id = e.token_id JOIN users u ON u.id = e.user_id
      WHERE e.action = 'datasets.list' AND t.token_hash = encode(sha256($1::bytea), 'hex')`,
    [app.heldTokens!.access_token],
  );
  expect(audit.rows).toEqual([{ decision: 'ALLOW', tool: 'list_datasets', email: person.email.toLowerCase() }]);
});
