// The MCP TypeScript SDK's own OAuth machinery against /mcp: 401 → resource and authorization server
// discovery → dynamic registration → consent in a real browser → code exchange → tools called.
// @see 70a30a5 (Intent retention): the commit whose behaviour these tests guard.
import { expect, test } from '@playwright/test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { createAccount, fillSignIn, uniqueEmail, uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';

const password = 'a-long-enough-passphrase';
const CALLBACK = 'https://agent.example/callback';

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
  await context.route('https://agent.example/**', (route) => route.fulfill({ status: 200, body: 'ok' }));
});

/** In-memory storage for one session; remembers the authorization URL instead of redirecting. */
class MemoryProvider implements OAuthClientProvider {
  client?: OAuthClientInformationMixed;
  saved?: OAuthTokens;
  verifier?: string;
  authorizationUrl?: URL;
  readonly redirectUrl = CALLBACK;
  readonly clientMetadata = {
    client_name: 'MCP SDK agent',
    redirect_uris: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
    scope: 'datasets:read reports:read',
  };
  clientInformation = () => this.client;
  saveClientInformation = (info: OAuthClientInformationMixed) => void (this.client = info);
  tokens = () => this.saved;
  saveTokens = (tokens: OAuthTokens) => void (this.saved = tokens);
  redirectToAuthorization = (url: URL) => void (this.authorizationUrl = url);
  saveCodeVerifier = (verifier: string) => void (this.verifier = verifier);
  codeVerifier = () => this.verifier!;
}

test('MCP SDK client: discovery, registration, consent in the browser, code exchange, tool call', async ({ page, request, baseURL }) => {
  const user = await createAccount(request, baseURL, { email: uniqueEmail('mcp-sdk'), password });
  const mcpUrl = new URL('/mcp', baseURL);
  // The SDK's requests go straight to the server: give them this test's own client address.
  const ip = uniqueIp();
  const requested: string[] = [];
  const fetchFromOwnIp = (url: string | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    headers.set('X-Forwarded-For', ip);
    requested.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    return fetch(url, { ...init, headers });
  };
  const provider = new MemoryProvider();
  const transport = (authProvider: OAuthClientProvider) => new StreamableHTTPClientTransport(mcpUrl, { authProvider, fetch: fetchFromOwnIp });

  // 1–2. No token: the SDK follows the 401 through discovery and registration to the redirect.
  const first = transport(provider);
  await expect(new Client({ name: 'leash-e2e', version: '1.0.0' }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
  expect(requested).toEqual(expect.arrayContaining(['GET /.well-known/oauth-protected-resource/mcp', 'GET /.well-known/oauth-authorization-server', 'POST /oauth/register']));
  const authorizationUrl = provider.authorizationUrl!;
  expect(authorizationUrl, 'redirectToAuthorization was called').toBeDefined();
  expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${baseURL}/oauth/authorize`);
  const clientId = provider.client!.client_id;
  expect(authorizationUrl.searchParams.get('client_id')).toBe(clientId);
  expect(authorizationUrl.searchParams.get('resource')).toBe(`${baseURL}/mcp`); // RFC 8707
  expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorizationUrl.searchParams.get('redirect_uri')).toBe(CALLBACK);
  expect(authorizationUrl.searchParams.get('scope')?.split(' ')).toContain('datasets:read');

  // 3. The user signs in and consents in a real browser; the agent's callback receives the code.
  await page.goto(authorizationUrl.toString());
  await fillSignIn(page, user.email, password);
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/^https:\/\/agent\.example\/callback\?/);
  const callback = new URL(page.url());
  expect(callback.searchParams.get('state')).toBe(authorizationUrl.searchParams.get('state'));
  const code = callback.searchParams.get('code')!;
  expect(code).toBeTruthy();

  // 4. The SDK exchanges the code, then a new connection uses the saved token.
  await first.finishAuth(code);
  const accessToken = provider.saved?.access_token;
  expect(accessToken).toBeTruthy();
  const client = new Client({ name: 'leash-e2e', version: '1.0.0' });
  await client.connect(transport(provider));
  try {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('list_datasets');
    const result = await client.callTool({ name: 'list_datasets', arguments: {} });
    expect(result.isError).toBeFalsy();
    const text = (result.content as { type: string; text: string }[])[0]!.text;
    expect(JSON.parse(text).datasets.map((d: { id: string }) => d.id)).toContain('ds_sales_2026');
  } finally {
    await client.close();
  }

  // 5. The database holds the registered agent, and the call audited against the user and token.
  const db = testDb();
  const agents = await db.query('SELECT name, registration::text, redirect_uris, token_endpoint_auth_method FROM agents WHERE client_id = $1', [clientId]);
  expect(agents.rows).toEqual([{ name: 'MCP SDK agent', registration: 'DCR', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none' }]);
  const audit = await db.query(
    `SELECT e.decision, e.details->>'tool' AS tool, u.email, a.client_id, t.audience
       FROM audit_events e JOIN tokens t ON t.id = e.token_id JOIN users u ON u.id = e.user_id JOIN agents a ON a.id = e.agent_id
      WHERE e.action = 'datasets.list' AND t.token_hash = encode(sha256($1::bytea), 'hex')`,
    [accessToken],
  );
  expect(audit.rows).toEqual([{ decision: 'ALLOW', tool: 'list_datasets', email: user.email.toLowerCase(), client_id: clientId, audience: [`${baseURL}/mcp`] }]);
});
