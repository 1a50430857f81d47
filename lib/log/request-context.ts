// The request a line of code is working for (issue 19 §1): the server gives every HTTP request an
// id (server/serve.ts), runs its handling inside this context, returns the id as `X-Request-Id`,
// and the logger and the audit log read it from here, so a log line, an answer and an audit row
// of one request can be matched. The storage lives on globalThis: the Next bundle and the fast
// path are two module instances in one process and must see the same context.
import { AsyncLocalStorage } from 'node:async_hooks';
import { uuid7 } from '@/lib/ids/uuid7';

export type RequestContext = { requestId: string };

const holder = globalThis as typeof globalThis & { leashRequestContext?: AsyncLocalStorage<RequestContext> };
const storage = (holder.leashRequestContext ??= new AsyncLocalStorage<RequestContext>());

/** The header the server stamps on every incoming request, overwriting anything a client sent. */
export const REQUEST_ID_HEADER = 'x-leash-request-id';

/** A new request id: a UUIDv7, so ids sort by arrival like the audit rows that carry them. */
export function newRequestId(): string {
  return uuid7();
}

/** Runs `work` as part of the request `requestId`. */
export function withRequestContext<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work);
}

/** The id of the request being handled, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** The request's id: the server's stamp, else the current context's, else a new one (handlers called outside the server, as in unit tests). */
export function requestIdOf(request: Pick<Request, 'headers'>): string {
  return request.headers.get(REQUEST_ID_HEADER) ?? currentRequestId() ?? newRequestId();
}
