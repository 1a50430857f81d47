// The stream management API's refusals (SSF 1.0 §8.1: each operation names its statuses: 400, 404,
// 409, 429), as `{ error, error_description }` like the rest of Leash's machine endpoints. A
// resource server that does not authenticate gets the OAuth 401 (invalid_client) instead.
import 'server-only';

export type SsfErrorCode = 'invalid_request' | 'not_found' | 'conflict' | 'too_many_requests';

export class SsfError extends Error {
  constructor(
    readonly status: number,
    readonly code: SsfErrorCode,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}: ${description}`);
  }
}

export function ssfErrorResponse(error: SsfError): Response {
  return Response.json({ error: error.code, error_description: error.description }, { status: error.status, headers: { 'Cache-Control': 'no-store', ...error.headers } });
}

/** SSF §8.1.1.2 and the others: a stream this resource does not have, whoever else has it. */
export function noSuchStream(): SsfError {
  return new SsfError(404, 'not_found', 'There is no stream with this stream_id for this resource.');
}
