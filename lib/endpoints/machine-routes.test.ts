// The fast path and Next must serve the same machine routes with the same handlers: this walks the
// app/ tree under the machine roots and compares it with MACHINE_ROUTES in both directions.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MACHINE_ROUTES, matchMachineRoute } from '@/lib/endpoints/machine-routes';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
// Browser-facing or rarely called routes under the machine roots that stay with Next on purpose:
// the authorization endpoint (a redirect into sign-in and consent), dynamic client registration
// and its management API, and the OpenAPI document.
const LEFT_TO_NEXT = ['/oauth/authorize', '/oauth/register', '/oauth/register/{clientId}', '/api/v1/openapi.json'];

function appRoutes(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, 'app', dir), { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...appRoutes(child));
    else if (entry.name === 'route.ts') found.push(dir);
  }
  return found;
}

const routeFiles = ['oauth', 'mcp', 'api/v1', 'api/health', 'access', 'api/secret-scanning'].flatMap(appRoutes).map((dir) => ({
  dir,
  pattern: `/${dir.split(path.sep).join('/')}`.replace(/\[(\w+)\]/g, '{$1}'),
}));

describe('machine routes', () => {
  it('every app/ route handler under /oauth, /mcp, /api/v1, /api/health, /access and /api/secret-scanning is on the fast path with the same function', async () => {
    let compared = 0;
    for (const { dir, pattern } of routeFiles) {
      if (LEFT_TO_NEXT.includes(pattern)) continue;
      const routeModule = (await import(path.join(ROOT, 'app', dir, 'route.ts'))) as Record<string, unknown>;
      for (const method of METHODS.filter((m) => typeof routeModule[m] === 'function')) {
        const route = MACHINE_ROUTES.find((r) => r.method === method && r.pattern === pattern);
        expect(route, `${method} ${pattern}`).toBeDefined();
        expect(route!.handler, `${method} ${pattern}`).toBe(routeModule[method]);
        compared++;
      }
    }
    expect(compared).toBe(MACHINE_ROUTES.length);
  });

  it('matches path parameters, decoded, and leaves everything else to Next', () => {
    const read = matchMachineRoute('GET', '/api/v1/reports/r%20one');
    expect(read?.params).toEqual({ report_id: 'r one' });
    expect(read?.handler).toBe(MACHINE_ROUTES.find((r) => r.pattern === '/api/v1/reports/{report_id}' && r.method === 'GET')!.handler);
    expect(matchMachineRoute('GET', '/oauth/token')).toBeNull();
    expect(matchMachineRoute('POST', '/oauth/token/')).toBeNull();
    expect(matchMachineRoute('GET', '/api/v1/reports/')).toBeNull();
    expect(matchMachineRoute('GET', '/api/v1/reports/a/b')).toBeNull();
    expect(matchMachineRoute('GET', '/api/v1/reports/%E0%A4%A')).toBeNull();
    expect(matchMachineRoute('GET', '/agents')).toBeNull();
    expect(matchMachineRoute('POST', '/oauth/token')).not.toBeNull();
  });
});
