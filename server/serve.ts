// The Leash HTTP server: Next.js (pages, consent portal, dashboard, route handlers) behind a plain
// `node:http` server. Owning the socket lets us stamp the peer address on every request
// (`x-leash-client-ip`, overwriting anything a client sent) and answer the machine-to-machine
// routes on a fast path before Next's router (server/fast-path.ts, DECISIONS 1). The fast path is
// on in production; `next dev` (hot reload) and LEASH_FAST_PATH=0 leave every route to Next.
import http from 'node:http';
import path from 'node:path';
import next from 'next';
import { loadFastPath } from './fast-path';
import { loadMetrics } from './metrics';

export type RunningServer = { url: string; close: () => Promise<void> };

export async function serve(options: { port: number; host: string; dev: boolean }): Promise<RunningServer> {
  const dir = path.resolve(import.meta.dirname, '..');
  const app = next({ dev: options.dev, dir, hostname: options.host, port: options.port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const fastPath = !options.dev && process.env.LEASH_FAST_PATH !== '0' ? await loadFastPath() : null;
  const metrics = await loadMetrics(); // issue 19 §3: /metrics, and every request counted (server/metrics.ts)

  const server = http.createServer((request, response) => {
    request.headers['x-leash-client-ip'] = request.socket.remoteAddress ?? 'unknown';
    metrics.observe(request, response);
    if (metrics.answer(request, response)) return;
    if (fastPath?.(request, response)) return;
    handle(request, response).catch((error: unknown) => {
      console.error('[server] unhandled error:', error);
      if (!response.headersSent) {
        response.writeHead(500, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      }
      response.end(JSON.stringify({ error: 'server_error', message: 'Something went wrong on our side.' }));
    });
  });
  // Slow or idle clients must not hold sockets forever.
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  // An idle keep-alive socket outlives the proxies' and clients' own idle timeouts (load balancers
  // commonly close at 60 s): if the server closed first, a request sent on the socket as it closes
  // fails with ECONNRESET on the client (seen in tests as a racing poll after a pause).
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const shown = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  return {
    url: `http://${shown}:${options.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(metrics.close),
  };
}
