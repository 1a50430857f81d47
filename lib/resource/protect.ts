// The one wrapper every agent-facing route uses (issue 4, "the resource-server module"). On each
// request, in order: the bearer token from the Authorization header only (RFC 6750 §2.1; never the
// query string), looked up by hash; its audience (RFC 8707); the scopes the operation needs, with
// the scope hierarchy; the agent's and the user's state. Every decision, allow or deny, is written
// to the audit log; an allowed call's audit row commits in the same transaction as its changes.
// TODO(policy): per-agent Cedar policy, rate limits and quotas slot in between the scope check and
// the handler (issue 4, steps 5 and 6).
import 'server-only';
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { clientIp } from '@/lib/http/client-ip';
import { expandScopes } from '@/lib/oauth/scopes';
import { bearerChallenge, resourceUri, type ResourceName } from '@/lib/resource/challenge';
import { findToken, type FoundToken } from '@/lib/tokens/find-token';
import type { Prisma } from '@/lib/generated/prisma/client';

export type ProtectedContext = {
  request: Request;
  token: FoundToken;
  /** The caller's transaction: the audit row of this call commits with whatever it writes. */
  tx: Prisma.TransactionClient;
};

type Options = { resource: ResourceName; action: string; scopes: string[] };

export function protect(options: Options, handler: (context: ProtectedContext) => Promise<Response>) {
  return async function protectedRoute(request: Request): Promise<Response> {
    const ip = clientIp(request.headers);
    const requestId = crypto.randomUUID();
    const path = new URL(request.url).pathname;
    const deny = async (response: Response, reason: string, token: FoundToken | null) => {
      await db().$transaction((tx) =>
        appendAuditEvent(tx, {
          action: options.action,
          decision: 'DENY',
          reason,
          userId: token?.userId ?? null,
          agentId: token?.agentId ?? null,
          tokenId: token?.id ?? null,
          scopes: options.scopes,
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
      if (!options.scopes.every((s) => held.has(s))) {
        // RFC 6750 §3.1: name every scope the operation needs, in one challenge.
        const scope = options.scopes.join(' ');
        return await deny(
          bearerChallenge(options.resource, 403, { code: 'insufficient_scope', description: `This operation needs: ${scope}.`, scope }),
          `missing scope (needs ${scope})`,
          token,
        );
      }

      const response = await db().$transaction(async (tx) => {
        await tx.token.update({ where: { id: token.id }, data: { lastUsedAt: new Date(), lastUsedIp: ip } });
        const result = await handler({ request, token, tx });
        await appendAuditEvent(tx, {
          action: options.action,
          decision: 'ALLOW',
          reason: 'token valid, audience and scopes sufficient',
          userId: token.userId,
          agentId: token.agentId,
          actor: (token.actor as Prisma.InputJsonValue | null) ?? null,
          tokenId: token.id,
          scopes: options.scopes,
          resource: `${request.method} ${path}`,
          ip,
          requestId,
          details: { status: result.status },
        });
        return result;
      });
      response.headers.set('X-Request-Id', requestId);
      return response;
    } catch (error) {
      // Fail closed: no decision without its audit row, and no internals in the answer.
      console.error('[resource] request failed:', error);
      return Response.json(
        { error: 'temporarily_unavailable', error_description: 'The service cannot decide this request right now.' },
        { status: 503, headers: { 'Cache-Control': 'no-store', 'Retry-After': '5', 'X-Request-Id': requestId } },
      );
    }
  };
}
