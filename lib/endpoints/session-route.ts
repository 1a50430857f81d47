// The dashboard's JSON routes, on one wrapper (as dub's `withWorkspace`): the route declares who may
// call it and what it reads; the wrapper authenticates, reads the path's id and the JSON body, and
// maps every refusal to the dashboard's `{ error, message, field_errors? }` (lib/http/api-error.ts).
// A handler returns the value to send (JSON, 200, `Cache-Control: no-store`) or a Response of its
// own (another status, a stream). Cross-site posts were already refused by proxy.ts.
import 'server-only';
import { z } from 'zod';
import { getCurrentUser, type CurrentUser } from '@/lib/auth/session';
import { ApiError, apiErrorResponse, readJsonBody } from '@/lib/http/api-error';
import { clientIp } from '@/lib/http/client-ip';
import { assertClockTrusted } from '@/lib/clock/trusted-clock';

type RouteContext = { params: Promise<Record<string, string>> };
export type SessionRouteHandler = (request: Request, context: RouteContext) => Promise<Response>;

const uuid = z.uuid();

type Options<S extends z.ZodType | undefined> = {
  /** The 401 sentence for a signed-out caller ("Sign in to …"). */
  signIn: string;
  /** Only administrators: the 403 sentence for anyone else. */
  admin?: string;
  /** The path has an `{id}`: the 404 sentence when it is not a UUID ("No such token."), or not the user's. */
  id?: string;
  /** Whether the path's id is the user's to act on (checked before the body is read); if not, 404 with `id`. */
  owns?: (userId: string, id: string) => Promise<boolean>;
  /** The JSON body's schema; a body that does not match is 400 with `invalid`. */
  body?: S;
  /** The 400 for a body that does not match: a sentence, or an ApiError made from zod's error. */
  invalid?: string | ((error: z.ZodError) => ApiError);
};

export type SessionInput<B> = { request: Request; user: CurrentUser; id: string; params: Record<string, string>; body: B; ip: string };
type Body<S> = S extends z.ZodType ? z.infer<S> : undefined;

/** JSON that no cache keeps (every dashboard answer). */
export function noStoreJson(value: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return Response.json(value, { status: init.status ?? 200, headers: { 'Cache-Control': 'no-store', ...init.headers } });
}

/** A route for the signed-in user. */
export function sessionRoute<S extends z.ZodType | undefined = undefined>(options: Options<S>, handler: (input: SessionInput<Body<S>>) => Promise<unknown>): SessionRouteHandler {
  return async (request, context) => {
    try {
      // Sessions, consent screens and approvals expire: not decided on a clock that jumped (503).
      await assertClockTrusted();
      const user = await getCurrentUser();
      if (!user) throw new ApiError(401, 'unauthenticated', options.signIn);
      if (options.admin && user.role !== 'ADMIN') throw new ApiError(403, 'forbidden', options.admin);
      const params = (await context?.params) ?? {};
      const id = options.id ? pathId(params, options.id) : '';
      if (options.owns && !(await options.owns(user.id, id))) throw new ApiError(404, 'not_found', options.id ?? 'Not found.');
      const body = (options.body ? await parseBody(request, options.body, options.invalid) : undefined) as Body<S>;
      return answer(await handler({ request, user, id, params, body, ip: clientIp(request.headers) }));
    } catch (error) {
      return apiErrorResponse(error);
    }
  };
}

/** A route anyone may call (sign-up, a password-reset link): the same reading and error mapping. */
export function publicRoute<S extends z.ZodType | undefined = undefined>(
  options: Pick<Options<S>, 'body' | 'invalid'>,
  handler: (input: Omit<SessionInput<Body<S>>, 'user' | 'id' | 'params'>) => Promise<unknown>,
): SessionRouteHandler {
  return async (request) => {
    try {
      await assertClockTrusted();
      const body = (options.body ? await parseBody(request, options.body, options.invalid) : undefined) as Body<S>;
      return answer(await handler({ request, body, ip: clientIp(request.headers) }));
    } catch (error) {
      return apiErrorResponse(error);
    }
  };
}

function answer(value: unknown): Response {
  return value instanceof Response ? value : noStoreJson(value);
}

function pathId(params: Record<string, string>, notFound: string): string {
  const { id } = params;
  if (!id || !uuid.safeParse(id).success) throw new ApiError(404, 'not_found', notFound);
  return id;
}

async function parseBody(request: Request, schema: z.ZodType, invalid: Options<z.ZodType>['invalid']): Promise<unknown> {
  const parsed = schema.safeParse(await readJsonBody(request));
  if (parsed.success) return parsed.data;
  if (typeof invalid === 'function') throw invalid(parsed.error);
  throw new ApiError(400, 'invalid_request', invalid ?? 'The request body is not valid.');
}
