// The Leash HTTP server: Next.js (pages, consent portal, dashboard, route handlers) behind a plain
// `node:http` server. Owning the socket lets us stamp the peer address on every request
// (`x-leash-client-ip`, overwriting anything a client sent) and answer the machine-to-machine
// routes on a fast path before Next's router (server/fast-path.ts, DECISIONS 1). The fast path is
// on in production; `next dev` (hot reload) and LEASH_FAST_PATH=0 leave every route to Next.
// Every request gets an id (issue 19 §1): stamped on the request (`x-leash-request-id`, overwriting
// anything a client sent), returned as `X-Request-Id`, carried by every log line and audit row
// made while handling it, and by its access-log line.
import http from 'node:http';
import path from 'node:path';
import next from 'next';
import { loadFastPath } from './fast-path';
import { loadMetrics } from './metrics';
import { newRequestId, REQUEST_ID_HEADER, withRequestContext } from '../lib/log/request-context';
import { log, logRequest } from '../lib/log/logger';
import { isDraining } from '../lib/ops/lifecycle';

export type RunningServer = {
  url: string;
  /** Stops accepting connections and closes the idle ones; resolves when every connection has ended. */
  stopAccepting: () => Promise<void>;
  /** Requests being answered. */
  inFlight: () => number;
  /** Ends every connection now, answered or not (the drain deadline passed). */
  closeAllConnections: () => void;
  /** Stops the metrics listener (LEASH_METRICS_PORT), if any. */
  closeMetrics: () => Promise<void>;
};

export async function serve(options: { port: number; host: string; dev: boolean }): Promise<RunningServer> {
  const dir = path.resolve(import.meta.dirname, '..');
  const app = next({ dev: options.dev, dir, hostname: options.host, port: options.port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const fastPath = !options.dev && process.env.LEASH_FAST_PATH !== '0' ? await loadFastPath() : null;
  const metrics = await loadMetrics(); // issue 19 §3: /metrics, and every request counted (server/metrics.ts)
  const accessLog = !['0', 'false', 'no'].includes(process.env.LEASH_ACCESS_LOG ?? '');
  const serverLog = log('server');
  let inFlight = 0;

  const server = http.createServer((request, response) => {
    const requestId = newRequestId();
    const started = performance.now();
    inFlight++;
    // One listener for the answer's end: the metrics (issue 19 §3) and the access-log line.
    response.once('close', () => {
      inFlight--;
      const elapsed = performance.now() - started;
      metrics.answered(request, response, elapsed / 1000);
      if (accessLog) {
        logRequest({
          request_id: requestId,
          method: request.method,
          // The path only: a query string can carry codes and tokens.
          path: (request.url ?? '').split('?', 1)[0]!,
          status: response.statusCode,
          duration_ms: Math.round(elapsed * 10) / 10,
          ...(response.writableFinished ? {} : { aborted: true as const }),
        });
      }
    });
    request.headers['x-leash-client-ip'] = request.socket.remoteAddress ?? 'unknown';
    request.headers[REQUEST_ID_HEADER] = requestId;
    // Every answer names its request, unless its handler named it already: the AuthZEN PDP echoes
    // the PEP's own X-Request-ID (AuthZEN 1.0 §10.1.3), and Next would not let a route replace a
    // header set here beforehand. Headers are written through writeHead, implicitly or not.
    const writeHead = response.writeHead;
    response.writeHead = function (this: http.ServerResponse, ...args: Parameters<typeof writeHead>) {
      if (!this.hasHeader('x-request-id')) this.setHeader('X-Request-Id', requestId);
      return writeHead.apply(this, args);
    } as typeof writeHead;
    // While draining, answered connections are not kept alive: the client reconnects elsewhere.
    if (isDraining()) response.setHeader('Connection', 'close');
    withRequestContext(requestId, () => {
      if (metrics.answer(request, response)) return;
      if (fastPath?.(request, response)) return;
      handle(request, response).catch((error: unknown) => {
        serverLog.error({ err: error }, 'unhandled error');
        if (!response.headersSent) {
          response.writeHead(500, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        }
        response.end(JSON.stringify({ error: 'server_error', message: 'Something went wrong on our side.' }));
      });
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
    stopAccepting: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
    inFlight: () => inFlight,
    closeAllConnections: () => server.closeAllConnections(),
    // Scrapes go on while the server drains; the metrics listener closes last.
    closeMetrics: metrics.close,
  };
}
