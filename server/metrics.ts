// Metrics for operators (issue 19 §3): every request the server answers is counted and timed by
// route family (lib/metrics/route-family.ts), and the registry (lib/metrics/metrics.ts) is served
// in Prometheus text format, never openly on the public port:
// - LEASH_METRICS_PORT: a listener of its own, on LEASH_METRICS_HOST (127.0.0.1 unless set),
//   answering GET /metrics to whoever can reach that address;
// - LEASH_METRICS_TOKEN: GET /metrics on the public port with `Authorization: Bearer <token>`
//   (401 with any other credentials). Without a token the public port has no /metrics (404, from Next).
import crypto from 'node:crypto';
import http from 'node:http';
import { allowServerOnlyModules } from './server-only';
import { log } from '../lib/log/logger';

export type ServerMetrics = {
  /** Counts and times a request whose answer has ended (its response's 'close'), `seconds` after it arrived. */
  answered: (request: http.IncomingMessage, response: http.ServerResponse, seconds: number) => void;
  /** Answers /metrics on the public port when a token is configured; false: not ours. */
  answer: (request: http.IncomingMessage, response: http.ServerResponse) => boolean;
  /** Stops the metrics listener, if any. */
  close: () => Promise<void>;
};

export async function loadMetrics(): Promise<ServerMetrics> {
  // lib/ modules import `server-only`, resolved as Next resolves it (as in server/fast-path.ts).
  allowServerOnlyModules();
  const { metrics, exposition } = await import('../lib/metrics/metrics');
  const { routeFamily, methodLabel } = await import('../lib/metrics/route-family');
  const { getConfig } = await import('../lib/config/config');
  const settings = getConfig().metrics;
  const { httpRequests, httpDuration } = metrics();

  const send = async (response: http.ServerResponse, head: boolean) => {
    try {
      const { body, contentType } = await exposition();
      response.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
      response.end(head ? undefined : body);
    } catch (error) {
      log('metrics').error({ err: error }, 'collecting failed');
      response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      response.end('metrics could not be collected\n');
    }
  };
  const plain = (response: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
    response.end(`${text}\n`);
  };
  const pathOf = (request: http.IncomingMessage) => (request.url ?? '').split('?')[0];

  // The token is compared as SHA-256 digests with timingSafeEqual: constant time whatever its length.
  const expected = settings.token ? crypto.createHash('sha256').update(settings.token).digest() : null;
  const authorized = (header: string | undefined) => {
    // RFC 6750 §2.1 (`Bearer` credentials); the scheme is case-insensitive (RFC 9110 §11.1).
    const match = /^bearer +(\S+) *$/i.exec(header ?? '');
    if (!match || !expected) return false;
    return crypto.timingSafeEqual(crypto.createHash('sha256').update(match[1]!).digest(), expected);
  };

  let listener: http.Server | null = null;
  const port = settings.port;
  if (port) {
    const server = http.createServer((request, response) => {
      if (pathOf(request) !== '/metrics') return plain(response, 404, 'not found');
      if (request.method !== 'GET' && request.method !== 'HEAD') return plain(response, 405, 'method not allowed', { Allow: 'GET, HEAD' });
      void send(response, request.method === 'HEAD');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, settings.host, () => resolve());
    });
    listener = server;
  }

  return {
    answered(request, response, seconds) {
      const family = routeFamily(request.url ?? '');
      const status = response.writableFinished ? String(response.statusCode) : 'aborted';
      httpRequests.inc({ family, method: methodLabel(request.method), status });
      // An event stream's duration is how long the client watched, not a latency.
      if (!String(response.getHeader('content-type') ?? '').startsWith('text/event-stream')) httpDuration.observe({ family }, seconds);
    },
    answer(request, response) {
      if (!expected || pathOf(request) !== '/metrics') return false;
      if (!authorized(request.headers.authorization)) {
        plain(response, 401, 'unauthorized', { 'WWW-Authenticate': 'Bearer realm="leash-metrics"' });
      } else if (request.method !== 'GET' && request.method !== 'HEAD') {
        plain(response, 405, 'method not allowed', { Allow: 'GET, HEAD' });
      } else void send(response, request.method === 'HEAD');
      return true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!listener) return resolve();
        listener.close(() => resolve());
        listener.closeAllConnections();
      }),
  };
}
