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

export type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
/** `streams`: the answer may be a long-lived event stream, which must learn that its client left. */
type Route = { method: string; pattern: string; handler: RouteHandler; streams: boolean; match: (pathname: string) => Record<string, string> | null };

function route(method: string, pattern: string, handler: RouteHandler, options: { streams?: boolean } = {}): Route {
  const segments = pattern.split('/');
  const dynamic = segments.some((s) => s.startsWith('{'));
  return {
    method,
    pattern,
    handler,
    streams: options.streams ?? false,
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

const mcp = handleMcp as RouteHandler;

export const MACHINE_ROUTES: readonly Route[] = [
  route('POST', '/oauth/token', handleToken as RouteHandler),
  route('POST', '/oauth/introspect', handleIntrospect as RouteHandler),
  route('POST', '/oauth/revoke', handleRevoke as RouteHandler),
  route('POST', '/oauth/par', handlePar as RouteHandler),
  route('POST', '/oauth/bc-authorize', handleBackchannelAuthentication as RouteHandler),
  route('POST', '/oauth/device_authorization', handleDeviceAuthorization as RouteHandler),
  // The AuthZEN PDP (issue 14 §3): asked by resource servers on every call they enforce.
  route('POST', '/access/v1/evaluation', handleAccessEvaluation as RouteHandler),
  route('POST', '/access/v1/evaluations', handleAccessEvaluations as RouteHandler),
  // Probes are asked every few seconds by every balancer: no detour through Next's router.
  route('GET', '/api/health', handleHealth),
  route('GET', '/api/health/live', handleLiveness),
  route('GET', '/api/health/ready', handleReadiness),
  // MCP answers may be event streams (Streamable HTTP).
  route('GET', '/mcp', mcp, { streams: true }),
  route('POST', '/mcp', mcp, { streams: true }),
  route('DELETE', '/mcp', mcp),
  // Signed reports of leaked credentials (GitHub's secret scanning partner program): a machine caller.
  route('POST', '/api/secret-scanning/github', handleGithubSecretScanning),
  ...OPERATIONS.map((o) => route(o.method, `/api/v1${o.path}`, apiRoute(o.action) as RouteHandler)),
];

/** The route for this method and path, or null to let Next answer (pages, other methods, 404s). */
export function matchMachineRoute(method: string, pathname: string): { handler: RouteHandler; params: Record<string, string>; streams: boolean } | null {
  for (const candidate of MACHINE_ROUTES) {
    if (candidate.method !== method) continue;
    let params: Record<string, string> | null;
    try {
      params = candidate.match(pathname);
    } catch {
      return null;
    }
    if (params) return { handler: candidate.handler, params, streams: candidate.streams };
  }
  return null;
}
