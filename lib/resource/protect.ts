// The one wrapper every agent-facing route uses (issue 4, "the resource-server module"):
// authenticate the bearer token (lib/resource/authenticate-bearer.ts), authorize the action
// (scopes, rate limit, Cedar policy: lib/resource/authorize-action.ts), then run the handler in a
// transaction whose audit row commits with whatever the handler writes. Any failure refuses
// (fail closed) and is recorded when the database still answers.
import 'server-only';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { ACTIONS, type ActionName } from '@/lib/policy/actions';
import { authenticateBearer } from '@/lib/resource/authenticate-bearer';
import { authorizeAction, type Target } from '@/lib/resource/authorize-action';
import { callContext, recordRefusal, type CallContext } from '@/lib/resource/call-context';
import type { ResourceName } from '@/lib/resource/challenge';
import type { FoundToken } from '@/lib/tokens/find-token';
import { storedIntent } from '@/lib/audit/stored-intent';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { z } from 'zod';

export type ProtectedContext<I = undefined> = {
  request: Request;
  token: FoundToken;
  /** The validated JSON body, for routes that declare an input schema. */
  input: I;
  /** The caller's transaction: the audit row of this call commits with whatever it writes. */
  tx: Prisma.TransactionClient;
};

type Options<I> = {
  resource: ResourceName;
  action: ActionName;
  /** A JSON body schema; bad input is 400 invalid_request (and recorded) before the policy runs. */
  input?: z.ZodType<I>;
  /** What the call acts on, for the policy's resource rules. Default: the action's collection. */
  target?: (request: Request, input: I) => Target;
  /** The payment a call makes, for the policy's payment limit. */
  payment?: (input: I) => { currency: string; amountMinor: number };
  /** Acts in a user's workspace: an agent acting as itself (client credentials) is refused. */
  requiresUser?: boolean;
};

export function protect<I = undefined>(options: Options<I>, handler: (context: ProtectedContext<I>) => Promise<Response>) {
  const audit = { action: options.action, scopes: [ACTIONS[options.action].scope] };
  return async function protectedRoute(request: Request): Promise<Response> {
    const call = callContext(request);
    try {
      const authenticated = await authenticateBearer(call, options.resource, audit);
      if ('refused' in authenticated) return authenticated.refused;
      const { token } = authenticated;
      if (options.requiresUser && !token.userId) {
        const response = Response.json(
          { error: 'access_denied', error_description: "This action works in a user's workspace: use a token a user delegated." },
          { status: 403, headers: { 'Cache-Control': 'no-store' } },
        );
        return await recordRefusal(call, { response, reason: 'needs a user-delegated token', token, ...audit });
      }
      let input = undefined as I;
      if (options.input) {
        const parsed = options.input.safeParse(await request.json().catch(() => undefined));
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const description = `Invalid request body${issue ? `: ${issue.path.join('.') || 'body'}: ${issue.message}` : ''}.`;
          const response = Response.json({ error: 'invalid_request', error_description: description }, { status: 400, headers: { 'Cache-Control': 'no-store' } });
          return await recordRefusal(call, { response, reason: description, token, ...audit });
        }
        input = parsed.data;
      }
      const authorized = await authorizeAction(call, {
        token,
        resource: options.resource,
        action: options.action,
        target: options.target?.(request, input),
        payment: options.payment?.(input),
      });
      if ('refused' in authorized) return authorized.refused;
      const { allowed } = authorized;

      const response = await db().$transaction(async (tx) => {
        const result = await handler({ request, token, tx, input });
        await recordAllowed(tx, call, token, options.action, allowed.reason, allowed.scopes, {
          status: result.status,
          ...(allowed.decision.outcome === 'notify' ? { notify: true } : {}),
        });
        return result;
      });
      response.headers.set('X-Request-Id', call.requestId);
      for (const [name, value] of Object.entries(allowed.rateHeaders)) response.headers.set(name, value);
      return response;
    } catch (error) {
      return failClosed(call, audit, error);
    }
  };
}

/** The audit row of an allowed call, and the token's last use, in the call's transaction. */
export async function recordAllowed(
  tx: Prisma.TransactionClient,
  call: CallContext,
  token: FoundToken,
  action: string,
  reason: string,
  scopes: string[],
  details: Prisma.InputJsonObject,
) {
  await tx.token.update({ where: { id: token.id }, data: { lastUsedAt: new Date(), lastUsedIp: call.ip } });
  await appendAuditEvent(tx, {
    action,
    decision: 'ALLOW',
    reason,
    userId: token.userId,
    agentId: token.agentId,
    actor: (token.actor as Prisma.InputJsonValue | null) ?? null,
    tokenId: token.id,
    scopes,
    resource: call.resourceLabel,
    ip: call.ip,
    requestId: call.requestId,
    intent: storedIntent(call.intent, token.user),
    details,
  });
}

export async function failClosed(call: CallContext, audit: { action: string; scopes: string[] }, error: unknown): Promise<Response> {
  console.error('[resource] request failed:', error);
  const response = Response.json(
    { error: 'temporarily_unavailable', error_description: 'The service cannot decide this request right now.' },
    { status: 503, headers: { 'Cache-Control': 'no-store', 'Retry-After': '5' } },
  );
  try {
    return await recordRefusal(call, { response, reason: 'refused: the request could not be decided (failing closed)', token: null, ...audit });
  } catch {
    response.headers.set('X-Request-Id', call.requestId);
    return response;
  }
}
