// `leash mcp` (issue 15 §2): a stdio-only MCP client uses Leash's /mcp with a config that holds no
// secret. The person signs the CLI in with the device flow (the code typed in Chromium);
// `leash mcp-config` prints each client's config, which the test reads for any token or key
// material; then the MCP SDK's stdio client spawns the command of the Claude Code config as a real
// process (`npx leash mcp …`, from a HOME whose only credentials are the CLI's store), lists the
// tools and calls one. A tool the policy puts behind the person's approval waits while the bridge
// asks (binding message on stderr, never on stdout: stdout is the protocol), the person approves
// with a second factor in Chromium, and the call returns the tool's answer. When the person revokes
// the agent, the next call gets an error, stderr says the session ended, and the bridge exits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CredentialStore } from '@leash/agent/credential-store';
import { sameOrigin, uniqueIp } from '../support/accounts';
import { approveInInbox, enrolTotp, totpCode } from '../support/approvals';
import { testDb } from '../support/db';
import { ROOT, runCommand } from '../support/command-lines';
import { enterDeviceCode, newPerson } from '../interop/support/person';

const LEASH = 'packages/agent/bin/leash.mjs';
const CLIENTS = ['claude-code', 'cursor', 'vscode', 'claude-desktop'] as const;

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
});

/** A home directory with nothing in it: the CLI keeps its store in the default places under it. */
function freshHome() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-mcp-'));
  // Only HOME says where the store is (no LEASH_* or XDG_* variable), as on a developer's machine.
  const env = { HOME: root, LEASH_CONFIG_DIR: '', LEASH_KEY_DIR: '', XDG_CONFIG_HOME: '', XDG_DATA_HOME: '', LEASH_CREDENTIALS_KEY: '' };
  const store = new CredentialStore({ credentialsFile: path.join(root, '.config', 'leash', 'credentials.enc'), keyFile: path.join(root, '.local', 'share', 'leash', 'credentials.key') }, {});
  return { root, env, store };
}

/** The lines the bridge writes on stderr, as they come. */
function stderrLines(transport: StdioClientTransport) {
  let text = '';
  const waiters = new Set<() => void>();
  transport.stderr!.on('data', (chunk: Buffer) => {
    text += chunk;
    for (const wake of waiters) wake();
  });
  return {
    get text() {
      return text;
    },
    line(pattern: RegExp) {
      return new Promise<RegExpMatchArray>((resolve) => {
        const check = () => {
          const match = text
            .split('\n')
            .map((l) => l.match(pattern))
            .find(Boolean);
          if (match) {
            waiters.delete(check);
            resolve(match);
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}

test('a stdio MCP client runs the config leash mcp-config printed (no secret in it): tools listed, a call, an approval in Chromium, then revocation stops the bridge', async ({
  page,
  request,
  baseURL,
}) => {
  test.setTimeout(150_000);
  const person = await newPerson(request, baseURL!, 'mcp-bridge');
  const home = freshHome();
  const mcpUrl = `${baseURL}/mcp`;
  let client: Client | undefined;
  try {
    // The person signs the CLI in for the MCP resource (device flow, code typed in Chromium).
    const login = runCommand([LEASH, 'login', baseURL!, '--resource', mcpUrl, '--scope', 'datasets:read workflows:trigger', '--name', 'Leash MCP bridge'], home.env);
    const [, , userCode] = await login.line(/^To sign in, open (\S+) and enter the code ([A-Z]{4}-[A-Z]{4})$/);
    await enterDeviceCode(page, userCode!, person, { agentName: 'Leash MCP bridge' });
    const signedIn = await login.done();
    expect(signedIn.code, signedIn.stderr).toBe(0);
    const [, clientId] = signedIn.stdout.match(/^Signed in to \S+ as (\S+) /m) ?? [];
    const secret = await enrolTotp(page, baseURL!);

    // Every client's config: the command and two URLs, and no secret of the store.
    const { session } = (await home.store.load())!;
    const keys = JSON.parse(fs.readFileSync(home.store.paths.keyFile, 'utf8')) as { aes: string; dpop: { d: string } };
    const secrets = [session.accessToken, session.refreshToken!, keys.aes, keys.dpop.d];
    const configs = new Map<string, Record<string, Record<string, { command: string; args: string[]; env?: Record<string, string> }>>>();
    for (const name of CLIENTS) {
      const printed = await runCommand([LEASH, 'mcp-config', name, '--issuer', baseURL!], home.env).done();
      expect(printed.code, printed.stderr).toBe(0);
      for (const value of secrets) expect(printed.stdout).not.toContain(value);
      expect(printed.stdout).not.toMatch(/lsh_|"(d|aes|access_token|refresh_token|Authorization|DPoP)"/);
      expect(printed.stderr).toContain(`Sign in first (once): npx leash login ${baseURL} --resource ${mcpUrl}`);
      configs.set(name, JSON.parse(printed.stdout));
    }
    const server = configs.get('claude-code')!.mcpServers!.leash!;
    expect(server).toEqual({ type: 'stdio', command: 'npx', args: ['leash', 'mcp', '--issuer', baseURL, '--resource', mcpUrl] });
    expect(configs.get('vscode')).toEqual({ servers: { leash: server } });
    expect(configs.get('cursor')).toEqual({ mcpServers: { leash: { command: 'npx', args: server.args } } });

    // A stdio-only client starts exactly that command (in the project, as Claude Code does).
    const transport = new StdioClientTransport({ command: server.command, args: server.args, env: { ...home.env, PATH: process.env.PATH! }, cwd: ROOT, stderr: 'pipe' });
    const stderr = stderrLines(transport);
    const protocolErrors: Error[] = [];
    client = new Client({ name: 'stdio-only client', version: '1.0.0' });
    client.onerror = (error) => protocolErrors.push(error);
    let closed = false;
    client.onclose = () => (closed = true);
    await client.connect(transport);
    expect(client.getServerVersion()).toMatchObject({ name: 'leash' });

    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['list_datasets', 'trigger_workflow']));
    const datasets = await client.callTool({ name: 'list_datasets', arguments: {} });
    expect(datasets.isError ?? false).toBe(false);
    expect(JSON.parse((datasets.content as { text: string }[])[0]!.text).datasets.map((d: { id: string }) => d.id)).toContain('ds_sales_2026');

    // Starting a workflow needs the person's approval: the call waits while the bridge asks.
    const started = client.callTool({ name: 'trigger_workflow', arguments: { workflow_id: 'wf_monthly_close', parameters: {} } }, undefined, { timeout: 120_000 });
    const [, bindingMessage] = await stderr.line(/^leash mcp: waiting for your approval in Leash \(Approvals, within \d+ min\): "(.*)"$/);
    expect(bindingMessage).toBe('Run the MCP tool trigger_workflow with {"workflow_id":"wf_monthly_close","parameters":{}}');
    await approveInInbox(page, { agentName: 'Leash MCP bridge', bindingMessage: bindingMessage!, code: await totpCode(secret) });
    const run = await started;
    expect(run.isError ?? false, JSON.stringify(run.content)).toBe(false);
    expect(JSON.parse((run.content as { text: string }[])[0]!.text)).toMatchObject({ workflow_id: 'wf_monthly_close', status: 'queued' });
    const agentId = (await testDb().query('SELECT id FROM agents WHERE client_id = $1', [clientId])).rows[0].id;
    expect((await testDb().query('SELECT count(*)::int AS n FROM workflow_runs WHERE agent_id = $1', [agentId])).rows[0].n).toBe(1);
    // The run was allowed to the just-in-time token, after the refusal of the ordinary one.
    const audit = await testDb().query(
      "SELECT action, decision::text FROM audit_events WHERE agent_id = $1 AND action IN ('workflows.trigger', 'elevation.request', 'elevation.approve') ORDER BY id",
      [agentId],
    );
    expect(audit.rows.map((r) => `${r.action} ${r.decision}`)).toEqual(['workflows.trigger APPROVAL', 'elevation.request APPROVAL', 'elevation.approve ALLOW', 'workflows.trigger ALLOW']);
    // stdout carried the protocol only: the client parsed every line.
    expect(protocolErrors).toEqual([]);

    // The person revokes the agent: the next call fails, the bridge says why on stderr and exits.
    const revoked = await page.request.post(`/api/account/agents/${agentId}/revoke-access`, { headers: sameOrigin(baseURL) });
    expect(revoked.status(), await revoked.text()).toBe(200);
    await expect(client.callTool({ name: 'list_datasets', arguments: {} })).rejects.toThrow(/The Leash session has ended/);
    await stderr.line(/^leash mcp: The Leash session has ended: .*Run `npx leash login` to sign in again\.$/);
    await expect.poll(() => closed).toBe(true);
    for (const value of secrets) expect(stderr.text).not.toContain(value);
  } finally {
    await client?.close().catch(() => undefined);
    fs.rmSync(home.root, { recursive: true, force: true });
  }
});
