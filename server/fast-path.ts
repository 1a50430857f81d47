// The `node:http` fast path for the machine-to-machine routes (DECISIONS 1, issue 7): the handlers
// in lib/endpoints/machine-routes.ts are plain functions from a request's URL, method, headers and
// body (a MachineRequest, which a Web `Request` is) to a Web `Response`, so the production server
// calls them directly instead of going through Next's router (about 0.45 ms of CPU per request),
// without building a `Request` for them unless the route hands it to a library (MCP). Everything
// else (pages, the dashboard's JSON routes, other methods, unknown paths) goes to Next. Responses carry the same security headers Next's proxy adds to API responses.
import type http from 'node:http';
import { once } from 'node:events';
import { allowServerOnlyModules } from './server-only';
import { log } from '../lib/log/logger';
import { attachBody } from '../lib/http/read-body';
import { answersWrittenAsText, answerText } from '../lib/http/json-answer';
import type { MachineRequest } from '../lib/http/machine-request';

/** Larger than any body a machine route accepts (the handlers answer their own 413 below this). */
const MAX_BODY_BYTES = 1024 * 1024;
/** How much of an oversized body is read and dropped so the client can read its 413. */
const DRAIN_BYTES = 16 * 1024 * 1024;

type Dispatch = (request: http.IncomingMessage, response: http.ServerResponse) => boolean;

export async function loadFastPath(): Promise<Dispatch> {
  allowServerOnlyModules();
  // This module instance's JSON answers carry only their text, which write() sends (lib/http/json-answer.ts).
  answersWrittenAsText();
  const { matchMachineRoute } = await import('../lib/endpoints/machine-routes');
  // The policy engine's WebAssembly compiled and optimized before the first agent waits for it.
  const { warmPolicyEngine } = await import('../lib/policy/warm-policy-engine');
  const warmedMs = warmPolicyEngine();
  const { securityHeaders: headersFor } = await import('../lib/security/headers');
  const { getConfig } = await import('../lib/config/config');
  const config = getConfig();
  const securityHeaders = headersFor(config.secure);
  const configuredHost = new URL(config.issuer).host;

  log('server').info({ duration_ms: Math.round(warmedMs) }, 'policy engine warmed up');

  return function dispatch(request, response) {
    const target = request.url ?? '';
    if (!target.startsWith('/')) return false;
    const query = target.indexOf('?');
    const pathname = query === -1 ? target : target.slice(0, query);
    const route = matchMachineRoute(request.method ?? 'GET', pathname);
    if (!route) return false;
    void answer(request, response, route, securityHeaders, configuredHost);
    return true;
  };
}

async function answer(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  route: NonNullable<ReturnType<typeof import('../lib/endpoints/machine-routes').matchMachineRoute>>,
  securityHeaders: Record<string, string>,
  configuredHost: string,
): Promise<void> {
  // Only a route whose answer may be a long-lived stream gets a signal that fires when its client
  // leaves: a Request that follows a signal costs 30 µs more to build (issue 16 §5), and the other
  // answers are written in one piece.
  let signal: AbortSignal | undefined;
  if (route.streams) {
    const aborted = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) aborted.abort();
    });
    signal = aborted.signal;
  }
  try {
    // A GET or HEAD has no body to wait for (every promise costs a request more than it seems:
    // Next's AsyncLocalStorage instances make Node run a hook for each one; docs/performance.md).
    const body = request.method === 'GET' || request.method === 'HEAD' ? null : await readBody(request);
    if (body === 'too_large') {
      return send(
        response,
        413,
        { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Connection: 'close', ...securityHeaders },
        JSON.stringify({ error: 'invalid_request', error_description: 'The request body is too large.' }),
      );
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else headers.set(name, value);
    }
    // The configured host, not the Host header: a Host with a path or query in it ('evil/x?'), which
    // is no uri-host (RFC 9110 §7.2, RFC 3986 §3.2.2) but which node:http passes on, would change
    // the URL's path, and with it the path the audit row records. No machine route reads
    // the URL's host (the issuer comes from the configuration).
    const url = `http://${configuredHost}${request.url}`;
    // Next's route context (its params a promise), made only when a handler reads it.
    // Next's route context (its params a promise). Not made lazily with a getter in this literal:
    // an accessor lives in the object's hidden class, so a getter closure per request would make a
    // hidden class per request, and V8's scavenges took twice as long (4 against 8 ms, measured;
    // docs/performance.md §5).
    const context = { params: Promise.resolve(route.params) };
    let webResponse: Response;
    // The body is handed over as the Buffer already read (lib/http/read-body.ts), not as a stream.
    if (route.web) {
      const webRequest = new Request(url, { method: request.method, headers, signal });
      if (body && body.length) attachBody(webRequest, body);
      webResponse = await route.handler(webRequest, context);
    } else {
      // What the handler reads of a request, without building a Web Request (lib/http/machine-request.ts).
      const machineRequest: MachineRequest = { url, method: request.method!, headers, body: null };
      if (body && body.length) attachBody(machineRequest, body);
      webResponse = await route.handler(machineRequest, context);
    }
    const writing = write(response, webResponse, securityHeaders);
    if (writing) await writing;
  } catch (error) {
    log('fast-path').error({ err: error }, 'unhandled error');
    if (!response.headersSent) {
      send(
        response,
        500,
        { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...securityHeaders },
        JSON.stringify({ error: 'server_error', error_description: 'Something went wrong on our side.' }),
      );
    } else response.destroy();
  }
}

function send(response: http.ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  response.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

/**
 * The body, or 'too_large'. A body over the limit is still read (and dropped) up to DRAIN_BYTES
 * before the 413 is sent: a server that answers and closes while the client is still writing
 * makes the client fail with EPIPE or ECONNRESET instead of reading the 413 (RFC 9110 §15.5.14
 * lets the server close, but then the client never learns why). Beyond DRAIN_BYTES the rest is
 * not waited for.
 */
function readBody(request: http.IncomingMessage): Promise<Buffer | null | 'too_large'> {
  return new Promise((resolve, reject) => {
    let tooLarge = Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES;
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      else chunks.length = 0;
      if (size > DRAIN_BYTES) {
        request.pause();
        resolve('too_large');
      }
    });
    request.on('end', () => resolve(tooLarge ? 'too_large' : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Writes the answer; a promise only when its body has to be read first (JSON text is written at once). */
function write(response: http.ServerResponse, webResponse: Response, securityHeaders: Record<string, string>): Promise<void> | undefined {
  response.statusCode = webResponse.status;
  for (const [name, value] of Object.entries(securityHeaders)) response.setHeader(name, value);
  for (const [name, value] of webResponse.headers) {
    if (name === 'set-cookie') continue;
    response.setHeader(name, value);
  }
  const cookies = webResponse.headers.getSetCookie();
  if (cookies.length) response.setHeader('Set-Cookie', cookies);
  // A JSON answer's text, as the handler made it (lib/http/json-answer.ts): it has no body stream.
  const text = answerText(webResponse);
  if (text !== undefined) {
    response.setHeader('Content-Length', Buffer.byteLength(text));
    response.end(text);
    return;
  }
  if (!webResponse.body) {
    response.end();
    return;
  }
  return writeBody(response, webResponse, webResponse.body);
}

async function writeBody(response: http.ServerResponse, webResponse: Response, body: ReadableStream<Uint8Array>): Promise<void> {
  // Event streams (MCP) are written as they come; everything else in one piece.
  if (webResponse.headers.get('content-type')?.startsWith('text/event-stream')) {
    response.flushHeaders();
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      if (!response.write(chunk)) await once(response, 'drain');
    }
    response.end();
    return;
  }
  const buffer = Buffer.from(await webResponse.arrayBuffer());
  response.setHeader('Content-Length', buffer.length);
  response.end(buffer);
}
