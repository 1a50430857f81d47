// mcp-remote, the stdio proxy that desktop MCP hosts with only local servers (Claude Desktop,
// Windsurf) start for a remote one, run exactly as their config runs it (`npx mcp-remote <url>
// [flags]`), with its own metadata, its own callback server and its own credential store on disk.
// The host's side is JSON-RPC lines on its stdin, answers on its stdout. Backs the mcp-remote
// snippets (browser, --device-code, --client-credentials) in docs/connect-your-agent.md.
// @see 9707596 (Interop matrix): the commit whose behaviour these tests guard.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { testDb } from '../support/db';
import { uniqueIp } from '../support/accounts';
import { basic, registerClient } from '../support/oauth';
import { allowInBrowser, enterDeviceCode, newPerson } from './support/person';
import { freshHome, initialize, removeHome, startMcpRemote, toolText, type McpRemote } from './support/mcp-remote';

const CLIENT = { type: 'client', description: 'mcp-remote' };
const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';
const tokenHash = "encode(sha256($1::bytea), 'hex')";

// A child process (about a second to load its 2 MB bundle), Chromium and a sign-in per test: more
// than the default 30 s on a loaded two-core machine, though each takes about 15 s on a quiet one.
test.describe.configure({ timeout: 60_000 });

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
});

let running: McpRemote[] = [];
test.afterEach(async ({}, testInfo) => {
  await Promise.all(running.map((p) => p.stop()));
  // Its log (stderr) is where a failure is explained: keep it with the failed test.
  if (testInfo.status !== testInfo.expectedStatus) {
    for (const [i, p] of running.entries()) await testInfo.attach(`mcp-remote-${i + 1}.log`, { body: p.log(), contentType: 'text/plain' });
  }
  for (const home of new Set(running.map((p) => p.home))) removeHome(home);
  running = [];
});
async function start(...args: Parameters<typeof startMcpRemote>) {
  const proxy = await startMcpRemote(...args);
  running.push(proxy);
  return proxy;
}

async function datasetsThroughProxy(proxy: McpRemote) {
  const init = await initialize(proxy);
  expect(init.result).toMatchObject({ serverInfo: { name: 'leash' } });
  const listed = await proxy.request('tools/list');
  expect((listed.result!.tools as { name: string }[]).map((t) => t.name)).toContain('list_datasets');
  const called = await proxy.request('tools/call', { name: 'list_datasets', arguments: {} });
  expect(called.result?.isError).toBeFalsy();
  return JSON.parse(toolText(called)).datasets.map((d: { id: string }) => d.id) as string[];
}

test('browser sign-in: DCR with its own metadata, consent in Chromium, loopback callback, tokens on disk, tools/call over stdio', async ({ page, request, baseURL }) => {
  test.info().annotations.push(CLIENT, { type: 'flow', description: 'authorization code + PKCE via DCR, loopback callback, stdio proxy tools/call, restart from stored tokens' });
  const person = await newPerson(request, baseURL!, 'mcp-remote');
  const home = freshHome();
  const proxy = await start([`${baseURL}/mcp`], { home });

  // mcp-remote followed the 401 to discovery, registered itself and opened the browser.
  const authorize = new URL(await proxy.browserUrl());
  expect(authorize.origin + authorize.pathname).toBe(`${baseURL}/oauth/authorize`);
  const port = Number((await proxy.logged(/OAuth callback server running at http:\/\/127\.0\.0\.1:(\d+)/))[1]);
  expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
    response_type: 'code',
    code_challenge_method: 'S256',
    redirect_uri: `http://localhost:${port}/oauth/callback`,
    resource: `${baseURL}/mcp`,
    prompt: 'consent',
  });
  // The scope of the first challenge (MCP "Scope Selection Strategy"), plus offline_access because
  // it registered refresh_token and the server lists offline_access (RFC 8414 scopes_supported).
  expect(authorize.searchParams.get('scope')).toBe('datasets:read invoices:read reports:read reports:write offline_access');

  // What it registered, as stored on its disk and in Leash's database.
  const clientId = authorize.searchParams.get('client_id')!;
  const registered = proxy.stored('_client_info.json')!;
  expect(registered).toMatchObject({
    client_id: clientId,
    client_name: 'MCP CLI Proxy',
    redirect_uris: [`http://localhost:${port}/oauth/callback`],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    application_type: 'native', // sent by mcp-remote itself (its SDK derives it from the loopback redirect)
    software_version: '0.15.1',
  });
  const agent = await testDb().query('SELECT name, registration::text, redirect_uris, grant_types, token_endpoint_auth_method FROM agents WHERE client_id = $1', [clientId]);
  expect(agent.rows).toEqual([
    {
      name: 'MCP CLI Proxy',
      registration: 'DCR',
      redirect_uris: [`http://localhost:${port}/oauth/callback`],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
    },
  ]);

  // The person allows in Chromium; the browser lands on mcp-remote's own callback page.
  const back = await allowInBrowser(page, authorize.toString(), person, { agentName: 'MCP CLI Proxy', callback: new RegExp(`^http://localhost:${port}/oauth/callback\\?`) });
  expect(back.searchParams.get('state')).toBe(authorize.searchParams.get('state'));
  expect(back.searchParams.get('iss')).toBe(baseURL); // RFC 9207
  await expect(page.getByText('Authorization successful')).toBeVisible();
  await proxy.logged(/Proxy established successfully/);

  // The host's JSON-RPC over stdio reaches Leash's tools with the token.
  expect(await datasetsThroughProxy(proxy)).toContain('ds_sales_2026');

  // Its credential store: an access token and, as it registered refresh_token, a refresh token.
  const tokens = proxy.stored('_tokens.json')!;
  expect(tokens).toMatchObject({ token_type: expect.stringMatching(/^bearer$/i), expires_in: expect.any(Number) });
  expect(tokens.refresh_token).toEqual(expect.stringMatching(/^lsh_rt_/));
  const audit = await testDb().query(
    `SELECT e.decision, e.details->>'tool' AS tool, u.email, t.audience FROM audit_events e JOIN tokens t ON t.id = e.token_id JOIN users u ON u.id = e.user_id
      WHERE e.action = 'datasets.list' AND t.token_hash = ${tokenHash}`,
    [tokens.access_token],
  );
  expect(audit.rows).toEqual([{ decision: 'ALLOW', tool: 'list_datasets', email: person.email.toLowerCase(), audience: [`${baseURL}/mcp`] }]);

  // The host restarts it (next app launch): the token on disk is used, no browser, no new client.
  await proxy.stop();
  const again = await start([`${baseURL}/mcp`], { home });
  expect(await datasetsThroughProxy(again)).toContain('ds_sales_2026');
  expect(fs.readFileSync(path.join(home, 'opened-urls'), 'utf8').trim().split('\n')).toHaveLength(1);
  expect(again.stored('_client_info.json')!.client_id).toBe(clientId);
  const calls = await testDb().query(`SELECT count(*)::int AS n FROM audit_events e JOIN tokens t ON t.id = e.token_id WHERE e.action = 'datasets.list' AND t.token_hash = ${tokenHash}`, [
    tokens.access_token,
  ]);
  expect(calls.rows).toEqual([{ n: 2 }]);
});

test('--device-code: registers for the device grant, the person types the code at /device, polling gets tokens, tools/call over stdio', async ({ page, request, baseURL }) => {
  test.info().annotations.push(CLIENT, { type: 'flow', description: '--device-code: device authorization grant via DCR, code typed at /device, stdio proxy tools/call' });
  const person = await newPerson(request, baseURL!, 'mcp-remote-device');
  const proxy = await start([`${baseURL}/mcp`, '--device-code']);

  // RFC 8628 §3.3: it prints where to go; Leash gives the complete URI (§3.3.1), which carries the code.
  const printed = new URL((await proxy.logged(/To authorize this client, visit:\s*\n.*?\s(http\S+)/))[1]!);
  expect(printed.origin + printed.pathname).toBe(`${baseURL}/device`);
  const userCode = printed.searchParams.get('user_code')!;
  expect(userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);

  // What it registered: the device grant with refresh, its loopback redirect URI (unused by this
  // grant) and response_types ["code"], which Leash reconciles to [] (RFC 7591 §2.1: the server
  // returns the values it registered).
  const registered = proxy.stored('_client_info.json')!;
  expect(registered).toMatchObject({
    client_name: 'MCP CLI Proxy',
    grant_types: [DEVICE, 'refresh_token'],
    response_types: [],
    token_endpoint_auth_method: 'none',
    application_type: 'native',
  });
  const agent = await testDb().query("SELECT grant_types, metadata->'response_types' AS response_types FROM agents WHERE client_id = $1", [registered.client_id]);
  expect(agent.rows).toEqual([{ grant_types: [DEVICE, 'refresh_token'], response_types: [] }]);

  // The person, on another device, types the code the terminal showed.
  await enterDeviceCode(page, userCode, person, { agentName: 'MCP CLI Proxy' });
  await proxy.logged(/Authorized\./, 20_000); // its next poll, at most one interval (5 s) later
  await proxy.logged(/Proxy established successfully/);
  expect(await datasetsThroughProxy(proxy)).toContain('ds_sales_2026');

  const tokens = proxy.stored('_tokens.json')!;
  expect(tokens.refresh_token).toEqual(expect.stringMatching(/^lsh_rt_/));
  const issued = await testDb().query(`SELECT t.audience, t.scopes, u.email FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ${tokenHash}`, [tokens.access_token]);
  // What it asked for at the device authorization endpoint: the first challenge's scope and offline_access.
  expect(issued.rows).toEqual([{ audience: [`${baseURL}/mcp`], scopes: ['datasets:read', 'invoices:read', 'reports:read', 'reports:write', 'offline_access'], email: person.email.toLowerCase() }]);
});

test('--client-credentials: a pre-registered machine client, no person and no browser, tools/call over stdio', async ({ request, baseURL }) => {
  test.info().annotations.push(CLIENT, { type: 'flow', description: '--client-credentials with --static-oauth-client-info (secret from the environment), stdio proxy tools/call' });
  // The operator registers the job once (RFC 7591) and hands its id and secret to the config.
  const machine = await registerClient(request, {
    client_name: 'Nightly MCP job',
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'datasets:read reports:read',
  });
  const proxy = await start([`${baseURL}/mcp`, '--client-credentials', '--static-oauth-client-info', JSON.stringify({ client_id: machine.client_id, client_secret: '${MCP_CLIENT_SECRET}' })], {
    env: { MCP_CLIENT_SECRET: machine.client_secret! },
  });
  await proxy.logged(/Proxy established successfully/);
  expect(await datasetsThroughProxy(proxy)).toContain('ds_sales_2026');
  expect(fs.existsSync(path.join(proxy.home, 'opened-urls'))).toBe(false); // no browser

  // It asks for the first 401 challenge's scope (four scopes); the client registered two of them,
  // and gets those (RFC 6749 §3.3) instead of invalid_scope: its own token, for /mcp, no refresh
  // token, nobody's account.
  const tokens = proxy.stored('_tokens.json')!;
  expect(tokens.refresh_token).toBeUndefined();
  const issued = await testDb().query(`SELECT user_id, scopes, audience FROM tokens WHERE token_hash = ${tokenHash}`, [tokens.access_token]);
  expect(issued.rows).toEqual([{ user_id: null, scopes: ['datasets:read', 'reports:read'], audience: [`${baseURL}/mcp`] }]);
  const introspection = await request.post('/oauth/introspect', { headers: { Authorization: basic(machine.client_id, machine.client_secret!) }, form: { token: tokens.access_token as string } });
  expect(await introspection.json()).toMatchObject({ active: true, client_id: machine.client_id, scope: 'datasets:read reports:read', aud: `${baseURL}/mcp` });
});
