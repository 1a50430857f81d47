// Runs mcp-remote's stdio proxy (node_modules/mcp-remote/dist/proxy.js, the `mcp-remote` bin a
// desktop app's config starts with npx) as a child process, the way Claude Desktop or Cursor do:
// JSON-RPC lines on its stdin, answers on its stdout, its log on stderr.
//
// Its environment is a throw-away home folder, so its credential store (~/.mcp-auth) is the test's
// own, and a browser that is a recorder: mcp-remote opens the authorization URL with the `open`
// package, whose bundled xdg-open hands URLs to $BROWSER when there is no desktop session (and
// mcp-remote's own fallback runs `xdg-open` from PATH). Both are a script that writes the URL to a
// file the test reads and then opens in Playwright's Chromium. That is the machine's setup, not a
// change to the client.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const PROXY = path.join(ROOT, 'node_modules', 'mcp-remote', 'dist', 'proxy.js');

export type JsonRpcAnswer = { jsonrpc: '2.0'; id: number; result?: Record<string, unknown>; error?: { code: number; message: string } };

export type McpRemote = {
  home: string;
  /** The first URL mcp-remote opened in "the browser". */
  browserUrl: () => Promise<string>;
  /** Resolves when its log (stderr) matches. */
  logged: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
  log: () => string;
  request: (method: string, params?: Record<string, unknown>, timeoutMs?: number) => Promise<JsonRpcAnswer>;
  notify: (method: string, params?: Record<string, unknown>) => void;
  /** The files of its credential store (~/.mcp-auth/mcp-remote-v1), by name suffix. */
  stored: (suffix: string) => Record<string, unknown> | undefined;
  /** Ends the process (SIGTERM, then SIGKILL after 3 s). */
  stop: () => Promise<void>;
};

/** A fresh home folder, reused when the test starts mcp-remote a second time "on the same machine". */
export function freshHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'leash-mcp-remote-'));
}

export function removeHome(home: string) {
  fs.rmSync(home, { recursive: true, force: true });
}

export async function startMcpRemote(args: string[], options: { home?: string; env?: Record<string, string> } = {}): Promise<McpRemote> {
  const home = options.home ?? freshHome();
  const bin = path.join(home, 'bin');
  const opened = path.join(home, 'opened-urls');
  fs.mkdirSync(bin, { recursive: true });
  const recorder = `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`;
  for (const name of ['browser', 'xdg-open']) fs.writeFileSync(path.join(bin, name), recorder, { mode: 0o755 });

  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [PROXY, ...args], {
    cwd: home,
    // No desktop session (so no real browser is found), the recorder first on PATH.
    env: {
      ...process.env,
      DISPLAY: undefined,
      WAYLAND_DISPLAY: undefined,
      PATH: `${bin}:${process.env.PATH}`,
      HOME: home,
      BROWSER: path.join(bin, 'browser'),
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const wake of waiters) wake();
  };
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    changed();
  });
  const answers = new Map<number, (answer: JsonRpcAnswer) => void>();
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    let newline: number;
    while ((newline = stdout.indexOf('\n')) >= 0) {
      const line = stdout.slice(0, newline).trim();
      stdout = stdout.slice(newline + 1);
      if (!line) continue;
      const message = JSON.parse(line) as JsonRpcAnswer;
      if (typeof message.id === 'number') answers.get(message.id)?.(message);
    }
    changed();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const until = async <T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      if (child.exitCode !== null) throw new Error(`mcp-remote exited (${child.exitCode}) before ${what}:\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`mcp-remote: no ${what} within ${timeoutMs} ms:\n${stderr}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
        setTimeout(wake, 100);
      });
    }
  };
  let nextId = 1;
  const store = path.join(home, '.mcp-auth', 'mcp-remote-v1');

  return {
    home,
    browserUrl: () => until('browser URL', () => (fs.existsSync(opened) ? fs.readFileSync(opened, 'utf8').split('\n')[0] || undefined : undefined), 15_000),
    logged: (pattern, timeoutMs = 15_000) => until(`log line ${pattern}`, () => stderr.match(pattern) ?? undefined, timeoutMs),
    log: () => stderr,
    request: (method, params, timeoutMs = 15_000) => {
      const id = nextId++;
      const answer = new Promise<JsonRpcAnswer>((resolve) => answers.set(id, resolve));
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) })}\n`);
      let received: JsonRpcAnswer | undefined;
      void answer.then((a) => (received = a));
      return until(`answer to ${method}`, () => received, timeoutMs);
    },
    notify: (method, params) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method, ...(params ? { params } : {}) })}\n`),
    stored: (suffix) => {
      if (!fs.existsSync(store)) return undefined;
      const file = fs.readdirSync(store).find((f) => f.endsWith(suffix));
      return file ? (JSON.parse(fs.readFileSync(path.join(store, file), 'utf8')) as Record<string, unknown>) : undefined;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    },
  };
}

/** The MCP handshake a host does first (MCP lifecycle: initialize, then notifications/initialized). */
export async function initialize(proxy: McpRemote, timeoutMs?: number) {
  const answer = await proxy.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'leash-interop-host', version: '1.0.0' } }, timeoutMs);
  proxy.notify('notifications/initialized');
  return answer;
}

/** The text a tools/call answered (Leash's tools return one JSON text block). */
export function toolText(answer: JsonRpcAnswer): string {
  const content = answer.result?.content as { type: string; text: string }[] | undefined;
  if (!content?.[0]) throw new Error(`no tool content in ${JSON.stringify(answer)}`);
  return content[0].text;
}
