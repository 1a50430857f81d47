// An operation of the agents' API, defined once and served twice: as an HTTP route under /api/v1
// and as an MCP tool. The definition carries its zod schemas, for what it accepts and what it
// answers (they also generate the OpenAPI document and the tools' input schemas), what it acts on
// for the policy, and its handler. Every execution goes through the same steps (issue 4): token,
// audience, scope, agent and user state, rate limit, policy, then the handler and its audit row in
// one transaction.
import 'server-only';
import type { z } from 'zod';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { ACTIONS, type ActionName } from '@/lib/scopes/actions';
import { authenticateBearer } from '@/lib/resource/authenticate-bearer';
import { authorizeAction, type Payment, type Target, type WouldAllow } from '@/lib/resource/authorize-action';
import { callContext, recordRefusal, type CallContext } from '@/lib/resource/call-context';
import type { ResourceName } from '@/lib/resource/challenge';
import { ResourceRefusal, type ResourceRefusalCode } from '@/lib/resource/refusal';
import { failClosed, recordAllowed } from '@/lib/resource/record-call';
import { forgetCached } from '@/lib/cache/hot-cache';
import { noteTokenUse } from '@/lib/tokens/note-token-use';
import { emitEvent } from '@/lib/events/leash-events';
import type { FoundToken } from '@/lib/tokens/find-token';
import type { Prisma } from '@/lib/generated/prisma/client';
import { BodyTooLargeError, readBodyText } from '@/lib/http/read-body';
import type { Link } from '@/lib/resource/link-schema';
import { checkResponse, ResponseSchemaError } from '@/lib/resource/check-response';
import { log } from '@/lib/log/logger';
import { jsonAnswer } from '@/lib/http/json-answer';
import type { MachineRequest } from '@/lib/http/machine-request';

export type LinkOptions = { params?: Record<string, string>; target?: Target; payment?: Payment; templated?: boolean };

export type OperationContext<P, I> = {
  token: FoundToken;
  /** The user whose workspace this is; never null for operations that require a user. */
  userId: string | null;
  params: P;
  input: I;
  /** The call's transaction: the audit row commits with whatever the handler writes. */
  tx: Prisma.TransactionClient;
  /** Allowed because the token's consented authorization_details name this payment (authorize-action.ts). */
  consentedPayment: boolean;
  /** A link to another operation, only when this token may take it now (scope and policy). */
  link: (action: ActionName, options?: LinkOptions) => Link | undefined;
};

/** A refusal an operation's handler throws (its transaction rolls back; the refusal is recorded). */
export class OperationError extends ResourceRefusal {
  constructor(status: 400 | 403 | 404 | 409, code: 'invalid_request' | 'access_denied' | 'not_found' | 'conflict', description: string) {
    super(code, description, { status });
  }
}

// `any` by default: the registry holds operations of every shape (defineOperation checks each one).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Operation<P = any, I = any, O = any> = {
  action: ActionName;
  method: 'GET' | 'POST' | 'PATCH';
  /** Below /api/v1, with {placeholders} for the path parameters (OpenAPI form). */
  path: string;
  /** The MCP tool's name. */
  tool: string;
  description: string;
  params?: z.ZodObject;
  input?: z.ZodType<I>;
  /** The answer's body (2xx), `_links` included: documented in the OpenAPI document, checked
   * outside production (lib/resource/check-response.ts). */
  output: z.ZodType;
  status?: 200 | 201;
  /** When the handler answers 409 `conflict`, for the OpenAPI document; absent when it never does. */
  conflict?: string;
  /** Works in a user's workspace (refused for tokens an agent holds for itself). */
  requiresUser?: boolean;
  /** What the call acts on, for the policy's resource rules; null when it does not exist. */
  target?: (context: { userId: string | null; params: P; input: I }) => Target | null | Promise<Target | null>;
  payment?: (input: I) => Payment;
  run: (context: OperationContext<P, I>) => Promise<O>;
};

/** An operation whose handler must return what its output schema describes (checked by tsc). */
export function defineOperation<PS extends z.ZodObject | undefined, IS extends z.ZodType | undefined, OS extends z.ZodType>(
  operation: Omit<Operation<PS extends z.ZodObject ? z.infer<PS> : undefined, IS extends z.ZodType ? z.infer<IS> : undefined, z.input<OS>>, 'params' | 'input' | 'output'> & {
    params?: PS;
    input?: IS;
    output: OS;
  },
): Operation {
  return operation as Operation;
}

const noStore = { 'Cache-Control': 'no-store' };

function hrefFor(operation: Operation, params: Record<string, string> = {}, templated = false): string {
  const path = operation.path.replace(/\{(\w+)\}/g, (whole, name: string) => (templated && !(name in params) ? whole : encodeURIComponent(params[name] ?? '')));
  return `${getConfig().issuer}/api/v1${path}`;
}

/** Runs one operation for an authenticated token; the answer is HTTP-shaped for both mounts. */
export async function executeOperation(
  call: CallContext,
  token: FoundToken,
  resource: ResourceName,
  operation: Operation,
  raw: { params: unknown; input: unknown },
  registry: ReadonlyMap<ActionName, Operation>,
): Promise<Response> {
  const audit = { action: operation.action, scopes: [ACTIONS[operation.action].scope] };
  const refuse = (status: ResourceRefusal['status'], error: ResourceRefusalCode, description: string, reason = description) =>
    recordRefusal(call, { refused: new ResourceRefusal(error, description, { status }), reason, token, ...audit });

  const userId = token.userId;
  // A malformed id names nothing: the same 404 as an id that does not exist.
  const params = operation.params ? operation.params.safeParse(raw.params) : { success: true as const, data: undefined };
  if (!params.success) return refuse(404, 'not_found', 'No such item in this workspace.', 'not found (malformed id)');
  if (raw.input === INPUT_TOO_LARGE) return refuse(413, 'invalid_request', 'The request body is too large.');
  const input = operation.input ? operation.input.safeParse(raw.input) : { success: true as const, data: undefined };
  if (!input.success) {
    const issue = input.error.issues[0];
    return refuse(400, 'invalid_request', `Invalid request body${issue ? `: ${issue.path.join('.') || 'body'}: ${issue.message}` : ''}.`);
  }
  const args = { userId, params: params.data, input: input.data };

  const authorized = await authorizeAction(call, {
    token,
    resource,
    action: operation.action,
    target: operation.target ? async () => operation.target!(args) : undefined,
    payment: operation.payment?.(input.data),
    requiresUser: operation.requiresUser,
  });
  if ('refused' in authorized) return authorized.refused;
  const { allowed } = authorized;

  const link = linker(allowed.wouldAllow, registry);
  const { checkResponses } = getConfig();
  try {
    const details = {
      status: operation.status ?? 200,
      ...(resource === 'mcp' ? { tool: operation.tool } : {}),
      ...(allowed.decision.outcome === 'notify' ? { notify: true as const } : {}),
    };
    const record = (tx: Prisma.TransactionClient | null) => recordAllowed(tx, call, token, operation.action, allowed.reason, allowed.scopes, details);
    // Checked before the audit row and inside a write's transaction: an answer that breaks the
    // published schema changes nothing. The body sent is the handler's own, never the parsed copy,
    // so the check cannot make tests see something production would not send.
    const answer = (tx: Prisma.TransactionClient): Promise<unknown> => {
      const result = operation.run({ ...args, token, tx, link, consentedPayment: allowed.consentedPayment });
      return checkResponses ? result.then((value) => (checkResponse(operation, value), value)) : result;
    };
    let body: unknown;
    if (operation.method === 'GET') {
      // A read changes nothing: no transaction, and its audit row is group-committed. The answer
      // still waits for that row (no decision without its audit row).
      body = await answer(db());
      await record(null);
    } else {
      body = await db().$transaction(async (tx) => {
        const result = await answer(tx);
        await record(tx);
        return result;
      });
      // A just-in-time token may have been spent by this call: not from this instance's cache again.
      if (token.jit) forgetCached(token.id);
    }
    noteTokenUse(token.id, call.ip);
    // The call and its row have committed: the alert rules and the metrics listen (lib/events), without delaying the answer.
    void emitEvent('call.allowed', {
      userId: token.userId,
      agentId: token.agentId,
      action: operation.action,
      scope: ACTIONS[operation.action].scope,
      outcome: allowed.decision.outcome === 'notify' ? 'notify' : 'allow',
    });
    return jsonAnswer(body, { status: operation.status ?? 200, headers: { ...noStore, ...allowed.rateHeaders, 'X-Request-Id': call.requestId } });
  } catch (error) {
    // Nothing the handler wrote was committed; the refusal is recorded on its own.
    if (error instanceof OperationError) return refuse(error.status, error.code, error.description, `not performed: ${error.description}`);
    // Only where responses are checked (development and tests), so the detail may be shown.
    if (error instanceof ResponseSchemaError) {
      log('resource').error({ err: error }, error.message);
      return refuse(500, 'server_error', error.message, `not performed: ${error.tool} answered outside its output schema`);
    }
    throw error;
  }
}

function linker(wouldAllow: WouldAllow, registry: ReadonlyMap<ActionName, Operation>) {
  return (action: ActionName, options: LinkOptions = {}): Link | undefined => {
    const operation = registry.get(action);
    if (!operation || !wouldAllow(action, options.target, options.payment)) return undefined;
    return {
      href: hrefFor(operation, options.params, options.templated),
      method: operation.method,
      tool: operation.tool,
      title: ACTIONS[action].label,
      ...(options.templated ? { templated: true as const } : {}),
    };
  };
}

/** `{ rel: link }` without the links this token may not follow. */
export function links<R extends string>(entries: Record<R, Link | undefined>): Partial<Record<R, Link>> {
  return Object.fromEntries(Object.entries<Link | undefined>(entries).filter((entry): entry is [string, Link] => entry[1] !== undefined)) as Partial<Record<R, Link>>;
}

export const MAX_INPUT_BYTES = 64 * 1024;
/** Marks a body over MAX_INPUT_BYTES: refused with 413 (and audited) by executeOperation. */
export const INPUT_TOO_LARGE = Symbol('input too large');

/** The JSON body, bounded as it is read (a chunked body too); malformed JSON is `undefined`. */
async function readInput(request: MachineRequest): Promise<unknown> {
  try {
    return JSON.parse(await readBodyText(request, MAX_INPUT_BYTES));
  } catch (error) {
    return error instanceof BodyTooLargeError ? INPUT_TOO_LARGE : undefined;
  }
}

/** The HTTP mount: a Next route handler (path parameters from the route's segments). */
export function operationRoute(operation: Operation, registry: ReadonlyMap<ActionName, Operation>) {
  const audit = { action: operation.action, scopes: [ACTIONS[operation.action].scope] };
  return async function route(request: MachineRequest, context: { params: Promise<Record<string, string | string[]>> }): Promise<Response> {
    const call = callContext(request);
    try {
      const authenticated = await authenticateBearer(call, 'api', audit);
      if ('refused' in authenticated) return authenticated.refused;
      // Read only by operations that take path parameters (the context's params are a promise).
      const params = operation.params ? await context.params : undefined;
      const input = operation.input ? await readInput(request) : undefined;
      return await executeOperation(call, authenticated.token, 'api', operation, { params, input }, registry);
    } catch (error) {
      return failClosed(call, audit, error);
    }
  };
}
