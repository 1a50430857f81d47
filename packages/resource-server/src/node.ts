// The kit for Express and plain `node:http`: a `(req, res, next)` middleware per route, and a
// handler that serves this API's RFC 9728 metadata. The request is read as it is (method, URL,
// headers; the body only through the route's own `context(req)`, e.g. after express.json()).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LeashAuth, RouteRequirements, Verifier } from './verifier.js';

export type NodeRequest = IncomingMessage & { originalUrl?: string; leash?: LeashAuth; ip?: string };
export type Next = (error?: unknown) => void;

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown) {
  res.writeHead(status, headers);
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

/**
 * A middleware that lets the request through only when `verifier.verify` allows it: then
 * `req.leash` holds the token's claims, the agent, the person, the intent and the PDP's decision.
 * `route` may be a function of the request (to read the resource or an amount from it).
 */
export function leashMiddleware<R extends NodeRequest>(verifier: Verifier, route: RouteRequirements | ((req: R) => RouteRequirements) = {}) {
  return async (req: R, res: ServerResponse, next?: Next): Promise<void> => {
    try {
      const requirements = typeof route === 'function' ? route(req) : route;
      const result = await verifier.verify({ method: req.method ?? 'GET', url: req.originalUrl ?? req.url ?? '/', headers: req.headers, ip: req.ip ?? req.socket?.remoteAddress }, requirements);
      if (!result.ok) return send(res, result.answer.status, result.answer.headers, result.answer.body);
      req.leash = result.auth;
      next?.();
    } catch (error) {
      if (next) next(error);
      else send(res, 500, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, { error: 'server_error' });
    }
  };
}

/** Serves GET `verifier.metadataPath` (RFC 9728 §3); other requests go to `next` (or 404). */
export function protectedResourceMetadata(verifier: Verifier) {
  return (req: NodeRequest, res: ServerResponse, next?: Next): void => {
    const path = new URL(req.originalUrl ?? req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === verifier.metadataPath) {
      return send(res, 200, { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' }, verifier.metadata());
    }
    if (next) next();
    else send(res, 404, { 'Content-Type': 'application/json' }, { error: 'not_found' });
  };
}
