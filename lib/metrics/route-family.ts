// The `family` label of the request metrics: which part of Leash a request went to, from its
// method and path alone (before any routing), as a closed set. Never the path itself: ids in paths
// (/api/v1/reports/{id}, /consent/{id}) would make a time series per id, and anything a client
// sends as a path would become a label value.
import 'server-only';
import type { RouteFamily } from '@/lib/metrics/metrics';

const OAUTH: Record<string, RouteFamily> = {
  token: 'oauth_token',
  authorize: 'oauth_authorize',
  introspect: 'oauth_introspect',
  revoke: 'oauth_revoke',
  register: 'oauth_register',
  par: 'oauth_par',
  'bc-authorize': 'oauth_bc_authorize',
  device_authorization: 'oauth_device',
};

/** The dashboard's pages (app/(dashboard)), by first segment; '' is the home page. */
const DASHBOARD = new Set(['', 'agents', 'alerts', 'approvals', 'audit', 'connect', 'settings', 'tokens']);
/** The sign-in, consent and device pages (app/(portal)). */
const PORTAL = new Set(['consent', 'device', 'forgot-password', 'reset-password', 'sign-in', 'sign-up', 'step-up']);

/** `target` is the request line's target (path and query, as `request.url` in node:http). */
export function routeFamily(target: string): RouteFamily {
  const end = target.search(/[?#]/);
  const path = end === -1 ? target : target.slice(0, end);
  if (!path.startsWith('/')) return 'other';
  const segments = path.split('/');
  const first = segments[1] ?? '';
  const second = segments[2] ?? '';
  switch (first) {
    case 'oauth':
      // /oauth/register/{client_id} is RFC 7592 client configuration: registration's family.
      return (Object.hasOwn(OAUTH, second) ? OAUTH[second] : undefined) ?? 'other';
    case 'api':
      if (second === 'v1') return 'api';
      if (second === 'health') return 'health';
      if (second === 'live') return 'live';
      if (second === 'auth') return 'auth';
      if (second === 'account' || second === 'admin' || second === 'consent') return 'dashboard_api';
      return 'other';
    case 'mcp':
      return segments.length === 2 ? 'mcp' : 'other';
    case '.well-known':
      return 'well_known';
    case '_next':
    case 'icon.svg':
    case 'favicon.ico':
      return 'static';
    case 'metrics':
      return segments.length === 2 ? 'metrics' : 'other';
  }
  if (DASHBOARD.has(first)) return 'dashboard';
  if (PORTAL.has(first)) return 'portal';
  return 'other';
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The `method` label: the standard methods as sent, anything else `OTHER`. */
export function methodLabel(method: string | undefined): string {
  return method && METHODS.has(method) ? method : 'OTHER';
}
