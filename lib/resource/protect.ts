// The one wrapper every agent-facing route uses (issue 4, "the resource-server module"). On each
// request, in order: the bearer token from the Authorization header only (RFC 6750 §2.1; never the
// query string), looked up by hash; its audience (RFC 8707); the scopes the operation needs, with
// the scope hierarchy; the agent's and the user's state. Every decision, allow or deny, is written
// to the audit log; an allowed call's audit row commits in the same transaction as its changes.
// Then the agent's policy (Cedar) decides: deny, step-up (RFC 9470), approval, or allow.
// Before that, the per-agent rate limit and quota from the policy (lib/resource/agent-rate-limit.ts).
import 'server-only';
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { clientIp } from '@/lib/http/client-ip';
import { expandScopes } from '@/lib/oauth/scopes';
import { bearerChallenge, resourceMetadataUrl, resourceUri, type ResourceName } from '@/lib/resource/challenge';
import { findToken, type FoundToken } from '@/lib/tokens/find-token';
import { ACTIONS, type ActionName, type Sensitivity } from '@/lib/policy/actions';
import { evaluatePolicy, type PolicyDecision } from '@/lib/policy/evaluate-policy';
import { loadAgentPolicy } from '@/lib/policy/load-agent-policy';
import { checkAgentRate } from '@/lib/resource/agent-rate-limit';
import { ACR } from '@/lib/auth/assurance';
import type { Prisma } from '@/lib/generated/prisma/client';

export type ProtectedContext = {
  request: Request;
  token: FoundToken;
  /** The caller's transaction: the audit row of this call commits with whatever it writes. */
  tx: Prisma.TransactionClient;
};

type Target = { id: string; kind: string; dataset?: string; sensitivity?: Sensitivity };
type Options = {
  resource: ResourceName;
  action: ActionName;
  /** What the call acts on, for the policy's resource rules. Default: the action's collection. */
  target?: (request: Request) => Target;
};

export function protect(options: Options, handler: (context: ProtectedContext) => Promise<Response>) {
  const scopes = [ACTIONS[options.action].scope];
  return async function protectedRoute(request: Request): Promise<Response> {
    const ip = clientIp(request.headers);
    const requestId = crypto.randomUUID();
    const path = new URL(request.url).pathname;
    const deny = async (response: Response, reason: string, token: FoundToken | null, decision: 'DENY' | 'STEP_UP' | 'APPROVAL' = 'DENY') => {
      await db().$transaction((tx) =>
        appendAuditEvent(tx, {
          action: options.action,
          decision,
          reason,
          userId: token?.userId ?? null,
          agentId: token?.agentId ?? null,
          tokenId: token?.id ?? null,
          scopes,
          resource: `${request.method} ${path}`,
          ip,
          requestId,
        }),
      );
      response.headers.set('X-Request-Id', requestId);
      return response;
    };

    try {
      const header = request.headers.get('authorization');
      const presented = header ? /^Bearer ([\x21-\x7e]+)$/i.exec(header.trim())?.[1] : undefined;
      if (!header) return await deny(bearerChallenge(options.resource, 401), 'no bearer token', null);
      if (!presented) {
        return await deny(bearerChallenge(options.resource, 401, { code: 'invalid_request', description: 'Malformed Authorization header.' }), 'malformed Authorization header', null);
      }
      const token = await findToken(presented);
      const invalid = (description: string, found: FoundToken | null) =>
        deny(bearerChallenge(options.resource, 401, { code: 'invalid_token', description }), description, found);
      if (!token || token.kind !== 'ACCESS') return await invalid('The access token is unknown.', null);
      if (token.revokedAt) return await invalid('The access token was revoked.', token);
      if (token.expiresAt <= new Date()) return await invalid('The access token has expired.', token);
      if (!token.audience.includes(resourceUri(options.resource))) return await invalid('The access token is not for this resource.', token);
      if (token.agent.status !== 'ACTIVE') return await invalid('The agent is suspended.', token);
      if (token.user && token.user.status !== 'ACTIVE') return await invalid('The user account is suspended.', token);

      const held = expandScopes(token.scopes);
      if (!scopes.every((s) => held.has(s))) {
        // RFC 6750 §3.1: name every scope the operation needs, in one challenge.
        const scope = scopes.join(' ');
        return await deny(
          bearerChallenge(options.resource, 403, { code: 'insufficient_scope', description: `This operation needs: ${scope}.`, scope }),
          `missing scope (needs ${scope})`,
          token,
        );
      }

      const { compiled, cacheKey, version, document } = await loadAgentPolicy({ userId: token.userId, agentId: token.agentId });
      const rate = await checkAgentRate({
        agentId: token.agentId,
        userId: token.userId,
        perMinuteLimit: document.rateLimit.perMinute,
        perDayLimit: document.rateLimit.perDay,
      });
      if (!rate.ok) {
        const refusal = Response.json(
          { error: 'rate_limited', error_description: `Slow down: the ${rate.reason} is reached.` },
          { status: 429, headers: { 'Cache-Control': 'no-store', 'Retry-After': String(rate.retryAfterSeconds), ...rate.headers } },
        );
        return await deny(refusal, `policy v${version}: ${rate.reason}`, token);
      }
      const kind = ACTIONS[options.action].kind;
      const decision = evaluatePolicy(compiled, cacheKey, {
        agentId: token.agentId,
        action: options.action,
        resource: options.target?.(request) ?? { id: `${kind}s`, kind },
        scopes: held,
        now: new Date(),
        timeZone: token.user?.timeZone ?? 'UTC',
        ip,
        acr: token.acr,
        jit: token.jit,
      });
      const policyReason = `policy v${version} ${decision.rule}: ${decision.reason}`;
      if (decision.outcome === 'deny') {
        return await deny(policyRefusal(403, 'access_denied', decision), policyReason, token);
      }
      if (decision.outcome === 'step_up') {
        return await deny(stepUpChallenge(options.resource, decision), policyReason, token, 'STEP_UP');
      }
      if (decision.outcome === 'approval') {
        return await deny(policyRefusal(403, 'approval_required', decision, scopes), policyReason, token, 'APPROVAL');
      }

      const response = await db().$transaction(async (tx) => {
        await tx.token.update({ where: { id: token.id }, data: { lastUsedAt: new Date(), lastUsedIp: ip } });
        const result = await handler({ request, token, tx });
        await appendAuditEvent(tx, {
          action: options.action,
          decision: 'ALLOW',
          reason: policyReason,
          userId: token.userId,
          agentId: token.agentId,
          actor: (token.actor as Prisma.InputJsonValue | null) ?? null,
          tokenId: token.id,
          scopes,
          resource: `${request.method} ${path}`,
          ip,
          requestId,
          details: { status: result.status, ...(decision.outcome === 'notify' ? { notify: true } : {}) },
        });
        return result;
      });
      response.headers.set('X-Request-Id', requestId);
      for (const [name, value] of Object.entries(rate.headers)) response.headers.set(name, value);
      return response;
    } catch (error) {
      // Fail closed: refuse, record the refusal when the database still answers, and keep
      // internals out of the answer.
      console.error('[resource] request failed:', error);
      await db()
        .$transaction((tx) =>
          appendAuditEvent(tx, {
            action: options.action,
            decision: 'DENY',
            reason: 'refused: the request could not be decided (failing closed)',
            scopes,
            resource: `${request.method} ${path}`,
            ip,
            requestId,
          }),
        )
        .catch(() => {});
      return Response.json(
        { error: 'temporarily_unavailable', error_description: 'The service cannot decide this request right now.' },
        { status: 503, headers: { 'Cache-Control': 'no-store', 'Retry-After': '5', 'X-Request-Id': requestId } },
      );
    }
  };
}

function policyRefusal(status: 403, error: 'access_denied' | 'approval_required', decision: PolicyDecision, scopes?: string[]) {
  const body =
    error === 'approval_required'
      ? {
          error,
          error_description: `This action needs the user's approval (${decision.reason}). Just-in-time elevation is not available on this server yet.`,
          policy_rule: decision.rule,
          required_scope: scopes?.join(' '),
        }
      : { error, error_description: `Denied by the agent's policy: ${decision.reason}.`, policy_rule: decision.rule };
  return Response.json(body, { status, headers: { 'Cache-Control': 'no-store' } });
}

/** RFC 9470 §3: ask for a stronger authentication of the user. */
function stepUpChallenge(resource: ResourceName, decision: PolicyDecision) {
  const description = `This action needs a second factor (${decision.reason}).`;
  return new Response(
    JSON.stringify({ error: 'insufficient_user_authentication', error_description: description, acr_values: ACR.mfa, policy_rule: decision.rule }),
    {
      status: 401,
      headers: {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        'WWW-Authenticate': `Bearer realm="leash", error="insufficient_user_authentication", error_description="${description.replace(/"/g, '')}", acr_values="${ACR.mfa}", resource_metadata="${resourceMetadataUrl(resource)}"`,
      },
    },
  );
}
