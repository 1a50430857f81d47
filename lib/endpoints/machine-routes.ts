// The machine-to-machine routes, as one table: what agents and clients call (the token, PAR,
// introspection, revocation, backchannel and device endpoints, the AuthZEN PDP, the agent API and MCP). The same
// handlers are mounted twice (DECISIONS 1): as Next route handlers under app/ (so `next dev` and
// the app tree keep working), and on the production server's `node:http` fast path
// (server/fast-path.ts), which answers these routes before Next's router. A unit test checks that
// this table and the app/ tree list the same routes with the same handlers.
import 'server-only';
import { handleAccessEvaluation, handleAccessEvaluations } from '@/lib/endpoints/authzen';
import { handleHealth, handleLiveness, handleReadiness } from '@/lib/endpoints/health';
import { handleMcp } from '@/lib/endpoints/mcp';
import { handleBackchannelAuthentication } from '@/lib/endpoints/oauth/bc-authorize';
import { handleDeviceAuthorization } from '@/lib/endpoints/oauth/device-authorization';
import { handleIntrospect } from '@/lib/endpoints/oauth/introspect';
import { handlePar } from '@/lib/endpoints/oauth/par';
import { handleRevoke } from '@/lib/endpoints/oauth/revoke';
import { handleToken } from '@/lib/endpoints/oauth/token';
import { handleGithubSecretScanning } from '@/lib/endpoints/secret-scanning';
import { OPERATIONS, apiRoute } from '@/lib/workspace/operations';
import type { MachineRequest } from '@/lib/http/machine-request';

type RouteContext = { params: Promise<Record<string, string>> };
export type RouteHandler = (request: MachineRequest, context: RouteContext) => Promise<Response>;
/** A handler that hands its request on to code needing a real Web `Request` (the MCP SDK's transport). */
export type WebRouteHandler = (request: Request, context: RouteContext) => Promise<Response>;
/**
 * `web`: the handler gets a real `Request` on the fast path too (others get a MachineRequest).
 * `streams`: the answer may be a long-lived event stream, which must learn that its client left
 * (through the Request's signal, so only web routes stream).
 */
export type Handling = { web: false; handler: RouteHandler; streams: false } | { web: true; handler: WebRouteHandler; streams: boolean };
type Route = Handling & { method: string; pattern: string; match: (pathname: string) => Record<string, string> | null };

function route(method: string, pattern: string, handler: RouteHandler): Route {
  return withPattern(method, pattern, { web: false, handler, streams: false });
}

function webRoute(method: string, pattern: string, handler: WebRouteHandler, options: { streams?: boolean } = {}): Route {
  return withPattern(method, pattern, { web: true, handler, streams: options.streams ?? false });
}

function withPattern(method: string, pattern: string, handling: Handling): Route {
  const segments = pattern.split('/');
  const dynamic = segments.some((s) => s.startsWith('{'));
  return {
    ...handling,
    method,
    pattern,
    match(pathname) {
      if (!dynamic) return pathname === pattern ? {} : null;
      const parts = pathname.split('/');
      if (parts.length !== segments.length) return null;
      const params: Record<string, string> = {};
      for (const [i, segment] of segments.entries()) {
        const part = parts[i]!;
        if (segment.startsWith('{')) {
          if (!part) return null;
          // Decoded as Next decodes path parameters (a malformed escape throws: Next answers it).
          params[segment.slice(1, -1)] = decodeURIComponent(part);
        } else if (part !== segment) return null;
      }
      return params;
    },
  };
}

export const MACHINE_ROUTES: readonly Route[] = [
  route('POST', '/oauth/token', handleToken),
  route('POST', '/oauth/introspect', handleIntrospect),
  route('POST', '/oauth/revoke', handleRevoke),
  route('POST', '/oauth/par', handlePar),
  route('POST', '/oauth/bc-authorize', handleBackchannelAuthentication),
  route('POST', '/oauth/device_authorization', handleDeviceAuthorization),
  // The AuthZEN PDP (issue 14 §3): asked by resource servers on every call they enforce.
  route('POST', '/access/v1/evaluation', handleAccessEvaluation),
  route('POST', '/access/v1/evaluations', handleAccessEvaluations),
  // Probes are asked every few seconds by every balancer: no detour through Next's router.
  route('GET', '/api/health', handleHealth),
  route('GET', '/api/health/live', handleLiveness),
  route('GET', '/api/health/ready', handleReadiness),
  // MCP answers may be event streams (Streamable HTTP); the SDK's transport reads a real Request.
  webRoute('GET', '/mcp', handleMcp, { streams: true }),
  webRoute('POST', '/mcp', handleMcp, { streams: true }),
  webRoute('DELETE', '/mcp', handleMcp),
  // Signed reports of leaked credentials (GitHub's secret scanning partner program): a machine caller.
  route('POST', '/api/secret-scanning/github', handleGithubSecretScanning),
  ...OPERATIONS.map((o) => route(o.method, `/api/v1${o.path}`, apiRoute(o.action))),
];

/** The route for this method and path, or null to let Next answer (pages, other methods, 404s). */
export function matchMachineRoute(method: string, pathname: string): (Handling & { params: Record<string, string> }) | null {
  for (const candidate of MACHINE_ROUTES) {
    if (candidate.method !== method) continue;
    let params: Record<string, string> | null;
    try {
      params = candidate.match(pathname);
    } catch {
      return null;
    }
    if (params) {
      const { method: _method, pattern: _pattern, match: _match, ...handling } = candidate;
      return { ...handling, params };
    }
  }
  return null;
}
