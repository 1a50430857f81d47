// The Shared Signals management endpoints' wrapper (SSF 1.0 §8.1): the caller authenticates as a
// registered protected resource with HTTP Basic (its client_id and secret; RFC 6749 §2.3.1,
// lib/oauth/clients/authenticate-resource-server.ts), the JSON body is read when the method
// has one, and every refusal becomes `{ error, error_description }` with the spec's status: 401
// invalid_client for credentials, 400/404/409/429 from lib/ssf, 503 when the database is down.
import 'server-only';
import { ApiError, readJsonBody } from '@/lib/http/api-error';
import { oauthErrorResponse } from '@/lib/oauth/errors';
import { authenticateResourceServer } from '@/lib/oauth/clients/authenticate-resource-server';
import type { ProtectedResourceRecord } from '@/lib/protected-resources/registry';
import { SsfError, ssfErrorResponse } from '@/lib/ssf/ssf-error';

export type SsfInput = { request: Request; resource: ProtectedResourceRecord; url: URL; body: Record<string, unknown> };

/** JSON nobody caches (the spec's examples answer `Cache-Control: no-store`). */
export function ssfJson(value: unknown, status = 200): Response {
  return Response.json(value, { status, headers: { 'Cache-Control': 'no-store' } });
}

export function ssfNoContent(): Response {
  return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
}

export function ssfEndpoint(options: { body: boolean }, handler: (input: SsfInput) => Promise<Response>): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      const resource = await authenticateResourceServer(request);
      const body = options.body ? await readJsonBody(request) : {};
      return await handler({ request, resource, url: new URL(request.url), body });
    } catch (error) {
      if (error instanceof SsfError) return ssfErrorResponse(error);
      if (error instanceof ApiError) return ssfErrorResponse(new SsfError(error.status, 'invalid_request', error.message));
      return oauthErrorResponse(error);
    }
  };
}
