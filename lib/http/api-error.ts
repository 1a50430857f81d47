// The dashboard's error vocabulary (separate from OAuth's, STYLE habit 3): `{ error, message }`
// with a stable machine code, a sentence for people, and optional per-field messages.
import 'server-only';
import { BodyNotUtf8Error, BodyTooLargeError, readBodyText } from '@/lib/http/read-body';
import { log } from '@/lib/log/logger';
import { isDatabaseUnavailable } from '@/lib/db/is-database-unavailable';
import { ClockSkewError } from '@/lib/clock/trusted-clock';
import type { MachineRequest } from '@/lib/http/machine-request';

export type ApiErrorCode =
  'invalid_request' | 'unsupported_media_type' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'csrf_rejected' | 'rate_limited' | 'temporarily_unavailable' | 'server_error';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly fieldErrors?: Record<string, string[]>,
    /** Headers the answer carries (Retry-After on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function apiErrorResponse(error: unknown, extraHeaders: Record<string, string> = {}): Response {
  if (!(error instanceof ApiError)) {
    if (error instanceof ClockSkewError || isDatabaseUnavailable(error)) {
      // Fail closed and say so (RFC 9110 §15.6.4): the database is down, read-only (a failover) or
      // timed out, so nothing was changed; a revocation or kill switch that answered 200 here would
      // be a lie the user acts on.
      // Likewise when this server's clock jumped (lib/clock/trusted-clock.ts): sessions expire by it.
      log('api').error({ err: error }, 'unavailable');
      error = new ApiError(503, 'temporarily_unavailable', 'Leash cannot decide this right now, so nothing was changed. Try again in a moment.', undefined, { 'Retry-After': '5' });
    } else {
      // Internals go to the log, never to the client.
      log('api').error({ err: error }, 'unexpected error');
      error = new ApiError(500, 'server_error', 'Something went wrong on our side. Please try again.');
    }
  }
  const e = error as ApiError;
  return Response.json(
    { error: e.code, message: e.message, ...(e.fieldErrors ? { field_errors: e.fieldErrors } : {}) },
    { status: e.status, headers: { 'Cache-Control': 'no-store', ...e.headers, ...extraHeaders } },
  );
}

const MAX_JSON_BYTES = 64 * 1024;

/** Reads a JSON object body: the right content type, a bounded size, valid JSON, an object. */
export async function readJsonBody(request: MachineRequest): Promise<Record<string, unknown>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', 'Send the body as application/json.');
  }
  let text: string;
  try {
    text = await readBodyText(request, MAX_JSON_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new ApiError(413, 'invalid_request', 'The request body is too large.');
    if (error instanceof BodyNotUtf8Error) throw new ApiError(400, 'invalid_request', 'The request body is not valid UTF-8 JSON.');
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_request', 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, 'invalid_request', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}
