// The loopback redirect of a native app (RFC 8252 §7.3): an HTTP listener on 127.0.0.1 with a port
// the OS picks, waiting for exactly one authorization response with our `state`. Node only
// (node:http); `connect()` loads it only for the authorization code flow.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthorizationError } from './errors.js';

export type LoopbackCallback = { code: string; iss: string | null };

export type Loopback = {
  redirectUri: string;
  /** Resolves with the first response carrying `state`; rejects on an error response or abort. */
  waitForCode(state: string, signal?: AbortSignal): Promise<LoopbackCallback>;
  close(): Promise<void>;
};

export async function startLoopback(options: { path?: string; appName?: string } = {}): Promise<Loopback> {
  const path = options.path ?? '/callback';
  let expected: { state: string; resolve: (c: LoopbackCallback) => void; reject: (e: unknown) => void } | undefined;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== path || !expected || url.searchParams.get('state') !== expected.state) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found.');
      return;
    }
    const { resolve, reject } = expected;
    expected = undefined;
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (error || !code) {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Not connected: ${error ?? 'no code'}. You can close this window.`);
      reject(new AuthorizationError(error ?? 'invalid_request', url.searchParams.get('error_description') ?? `The authorization server answered ${error ?? 'without a code'}.`));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${options.appName ?? 'The agent'} is connected. You can close this window.`);
    resolve({ code, iss: url.searchParams.get('iss') });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}${path}`,
    waitForCode(state, signal) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        expected = { state, resolve, reject };
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
