// grant_type=urn:ietf:params:oauth:grant-type:token-exchange (RFC 8693), in two forms:
// - Narrowing (no `actor_token`): the client exchanges its own access token for a narrower one,
//   still itself, for the same user, adding no `act` (lib/oauth/narrow-own-token.ts). A subject token
//   of another client without an actor is impersonation (§1.1) and refused with invalid_request
//   (§2.2.2: a subject_token unacceptable by policy).
// - Delegation (`actor_token` sent): the authenticated client is the actor; `subject_token` is an
//   access token a user delegated to another agent; `actor_token` must be the actor's own active
//   token. The result acts for the same user, names the chain in `act` (§4.1, nested for chains of
//   agents), and is never broader than the subject token (scope, audience, lifetime) or than the
//   actor's own policy; the subject agent's policy must list the actor in `mayAct` (a
//   `may_act`-style rule, §4.4).
// Neither issues a refresh token (§2.2.1).
// A third subject type, an agent's API key (`subject_token_type` urn:leash:params:oauth:token-type:api-key),
// is exchanged for an access token of the key's agent: lib/oauth/exchange-api-key.ts.
import 'server-only';
import { tokenResponse } from '@/lib/oauth/grants/types';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { OAuthError } from '@/lib/oauth/errors';
import { parseScope } from '@/lib/scopes/scopes';
import { loadAgentPolicy } from '@/lib/policy/load-agent-policy';
import { withinScopeCeiling } from '@/lib/policy/policy-document';
import { findToken, isTokenActive } from '@/lib/tokens/find-token';
import { narrowOwnToken } from '@/lib/oauth/narrow-own-token';
import { createAccessToken } from '@/lib/tokens/issue-access-token';
import { clientForApiKey, exchangeApiKey } from '@/lib/oauth/exchange-api-key';
import { API_KEY_TOKEN_TYPE } from '@/lib/api-keys/api-key-limits';
import type { Grant } from '@/lib/oauth/grants/types';
import type { OAuthParams } from '@/lib/oauth/read-form';
import type { AuthenticatedClient } from '@/lib/oauth/clients/authenticate-client';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { MachineRequest } from '@/lib/http/machine-request';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

const isApiKeyExchange = (params: OAuthParams) => params.get('subject_token_type') === API_KEY_TOKEN_TYPE;

/**
 * The client of a token request that authenticates none but exchanges an API key: the key's agent
 * (RFC 8693 §2.1 leaves client authentication optional; the key is the credential). Null for any
 * other request, which authenticates its client as usual.
 */
export function clientOfApiKeyExchange(request: MachineRequest, params: OAuthParams, ip: string): AuthenticatedClient | null | Promise<AuthenticatedClient | null> {
  // Any other request: null at once, not in a promise (every token request asks).
  if (params.get('grant_type') !== TOKEN_EXCHANGE || !isApiKeyExchange(params)) return null;
  return clientForApiKey(request, params, ip);
}

export const tokenExchangeGrant: Grant = {
  grantType: TOKEN_EXCHANGE,
  // The person who made the key allowed its agent this exchange; the agent's registration (often
  // made long before, for the authorization code flow) need not list token exchange.
  registrationRequired: (params) => !isApiKeyExchange(params),
  async handle(context) {
    const { client, params, ip, dpop } = context;
    const subjectToken = params.get('subject_token');
    const subjectType = params.get('subject_token_type');
    if (!subjectToken || !subjectType) throw new OAuthError('invalid_request', 'subject_token and subject_token_type are required (RFC 8693 §2.1).');
    const requestedType = params.get('requested_token_type');
    if (requestedType !== undefined && requestedType !== ACCESS_TOKEN_TYPE) throw new OAuthError('invalid_request', `Only ${ACCESS_TOKEN_TYPE} can be issued.`);
    if (subjectType === API_KEY_TOKEN_TYPE) return exchangeApiKey(context, subjectToken);
    if (subjectType !== ACCESS_TOKEN_TYPE) throw new OAuthError('invalid_request', `subject_token_type must be ${ACCESS_TOKEN_TYPE} or ${API_KEY_TOKEN_TYPE}.`);
    const actorToken = params.get('actor_token');
    const actorType = params.get('actor_token_type');
    if (!actorToken) {
      // §2.1: actor_token_type "MUST NOT be included" without actor_token.
      if (actorType !== undefined) throw new OAuthError('invalid_request', 'actor_token_type must not be sent without actor_token (RFC 8693 section 2.1).');
      return narrowOwnToken(context, subjectToken);
    }
    if (actorType !== ACCESS_TOKEN_TYPE) throw new OAuthError('invalid_request', `actor_token_type must be ${ACCESS_TOKEN_TYPE} (RFC 8693 §2.1).`);

    const subject = await findToken(subjectToken);
    if (!subject || subject.kind !== 'ACCESS' || !isTokenActive(subject) || !subject.userId) {
      throw new OAuthError('invalid_grant', 'The subject_token is not an active access token a user delegated.');
    }
    const actor = await findToken(actorToken);
    if (!actor || actor.kind !== 'ACCESS' || !isTokenActive(actor) || actor.agentId !== client.id) {
      throw new OAuthError('invalid_grant', 'The actor_token must be an active access token of the client making this request.');
    }
    if (subject.agentId === client.id) throw new OAuthError('invalid_grant', 'An agent cannot exchange its own token to act for itself.');

    // The user's policy for the subject agent says who may act for it (may_act).
    const subjectPolicy = await loadAgentPolicy({ userId: subject.userId, agentId: subject.agentId });
    if (!(subjectPolicy.document.mayAct ?? []).includes(client.clientId)) {
      await refuse(
        { userId: subject.userId, actorId: client.id, ip, reason: `policy v${subjectPolicy.version} of the subject agent does not let ${client.clientId} act for it` },
        new OAuthError('invalid_grant', "The user has not allowed this agent to act for the subject token's agent."),
      );
    }

    // The user stopped this agent (kill switch, or its access revoked and not given again): it acts
    // for them by no route, delegation included (lib/agents/control-agent-access.ts).
    const stopped = await db().grant.findMany({ where: { userId: subject.userId, agentId: client.id }, select: { status: true } });
    if (stopped.some((g) => g.status === 'SUSPENDED') || (stopped.length > 0 && stopped.every((g) => g.status === 'REVOKED'))) {
      await refuse(
        { userId: subject.userId, actorId: client.id, ip, reason: 'the user stopped this agent' },
        new OAuthError('invalid_grant', 'The user has stopped this agent: it cannot act for them.'),
      );
    }

    // Never broader than the subject token (RFC 8693 §2.2.2 invalid_scope / invalid_target)...
    const requested = parseScope(params.get('scope'));
    const beyond = requested.filter((s) => !subject.scopes.includes(s));
    if (beyond.length) throw new OAuthError('invalid_scope', `The subject token does not cover: ${beyond.join(' ')}`);
    const audience = params.resources.length ? params.resources : subject.audience;
    if (audience.some((r) => !subject.audience.includes(r))) throw new OAuthError('invalid_target', 'The subject token is not valid for that resource.');
    // ...nor than the actor's own policy for this user.
    const actorPolicy = await loadAgentPolicy({ userId: subject.userId, agentId: client.id });
    const scopes = (requested.length ? requested : subject.scopes).filter((s) => s !== 'offline_access' && withinScopeCeiling(actorPolicy.document, s));
    if (!scopes.length) {
      await refuse(
        { userId: subject.userId, actorId: client.id, ip, reason: `policy v${actorPolicy.version} of the acting agent allows none of these scopes` },
        new OAuthError('invalid_scope', "None of these scopes is allowed by the user's policy for the acting agent."),
      );
    }
    const remaining = Math.floor((subject.expiresAt.getTime() - Date.now()) / 1000);
    const ttl = Math.max(1, Math.min(remaining, actorPolicy.document.tokens.accessTokenSeconds));

    // §4.1: `act` names the current actor; a chain nests the earlier actors inside it.
    const act: Prisma.InputJsonObject = { sub: client.clientId, ...(subject.actor ? { act: subject.actor as Prisma.InputJsonObject } : {}) };
    const issued = await db().$transaction(async (tx) => {
      const access = await createAccessToken(
        tx,
        {
          agentId: client.id,
          userId: subject.userId,
          grantId: subject.grantId,
          scopes,
          audience,
          actor: act,
          acr: subject.acr,
          amr: subject.amr,
          authTime: subject.authTime,
          dpopJkt: dpop?.jkt ?? null,
          policyVersion: actorPolicy.version,
        },
        { grantType: 'token_exchange', ip, ttlSeconds: ttl },
      );
      return access;
    });
    return tokenResponse(issued, { bound: Boolean(dpop), scopes, issuedTokenType: ACCESS_TOKEN_TYPE });
  },
};

/** Records a refusal the user's policies made, then throws its OAuth error. */
async function refuse(refusal: { userId: string; actorId: string; ip: string; reason: string }, error: OAuthError): Promise<never> {
  await db().$transaction((tx) => appendAuditEvent(tx, { action: 'token.exchange', decision: 'DENY', userId: refusal.userId, agentId: refusal.actorId, ip: refusal.ip, reason: refusal.reason }));
  throw error;
}
