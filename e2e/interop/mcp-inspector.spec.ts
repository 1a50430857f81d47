// The MCP Inspector's CLI mode (@modelcontextprotocol/inspector, `mcp-inspector --cli`), as a
// developer runs it to try a server: a URL, a bearer token in --header, one method per run. The
// token is one a person delegated (consent over HTTP); the CLI is a child process with its own
// output, read as JSON. The package declares Node >= 22.19 in `engines`; its CLI runs here on the
// Node this project requires (20), and this test is what says so.
// @see 7e04dd4 (Interop matrix complete): the commit whose behaviour these tests guard.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { uniqueIp } from '../support/accounts';
import { delegatedToken } from '../support/delegation';
import { testDb } from '../support/db';

const CLIENT = { type: 'client', description: '@modelcontextprotocol/inspector' };
const INSPECTOR = path.resolve('node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js');
const tokenHash = "encode(sha256($1::bytea), 'hex')";

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
});

/** One CLI run: exit code, stdout and stderr. */
function inspector(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [INSPECTOR, '--cli', ...args], {
      env: { ...process.env, HOME: test.info().outputPath('home'), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('Inspector CLI with a bearer token: tools/list, tools/call, and a tool outside the token’s scope is refused with 403', async ({ request, baseURL }) => {
  test.info().annotations.push(CLIENT, { type: 'flow', description: 'CLI mode, --header "Authorization: Bearer …": tools/list, tools/call, 403 insufficient_scope outside the token' });
  const agent = await delegatedToken(request, baseURL!, 'datasets:read reports:read', { resource: `${baseURL}/mcp` }, { agentName: 'Inspector' });
  const common = [`${baseURL}/mcp`, '--transport', 'http', '--header', `Authorization: Bearer ${agent.token}`];

  const listed = await inspector([...common, '--method', 'tools/list']);
  expect(listed.code, listed.stderr).toBe(0);
  const tools = (JSON.parse(listed.stdout) as { tools: { name: string }[] }).tools.map((t) => t.name);
  // Every tool is listed (the policy, not the list, decides); the token reaches two of them.
  expect(tools).toEqual(expect.arrayContaining(['list_datasets', 'list_reports', 'list_invoices', 'initiate_payment']));

  const called = await inspector([...common, '--method', 'tools/call', '--tool-name', 'list_datasets']);
  expect(called.code, called.stderr).toBe(0);
  const result = JSON.parse(called.stdout) as { content: { type: string; text: string }[]; isError?: boolean };
  expect(result.isError ?? false).toBe(false);
  expect(JSON.parse(result.content[0]!.text).datasets.map((d: { id: string }) => d.id)).toContain('ds_sales_2026');

  // invoices:read was not granted: the HTTP answer is 403 insufficient_scope; the CLI has no
  // OAuth of its own to step up with, so it fails and says so.
  const refused = await inspector([...common, '--method', 'tools/call', '--tool-name', 'list_invoices']);
  // The challenge's scope is what the token holds plus what the tool needs (RFC 6750 §3.1).
  expect(refused.code).toBe(1);
  expect(JSON.parse(refused.stderr).error.message).toBe('Insufficient scope: required "datasets:read invoices:read reports:read"');

  const audit = await testDb().query(
    `SELECT action, decision FROM audit_events WHERE token_id = (SELECT id FROM tokens WHERE token_hash = ${tokenHash}) AND action IN ('datasets.list', 'invoices.list') ORDER BY id`,
    [agent.token],
  );
  expect(audit.rows).toEqual([
    { action: 'datasets.list', decision: 'ALLOW' },
    { action: 'invoices.list', decision: 'DENY' },
  ]);
});
