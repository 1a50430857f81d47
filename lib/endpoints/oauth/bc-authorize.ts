// POST /oauth/bc-authorize: just-in-time elevation (OpenID CIBA Core 1.0, poll mode). An agent that
// already holds a grant from a user asks for more (scopes, or RFC 9396 details such as one
// payment), with a binding_message saying why; the request appears at once in the user's
// Approvals inbox; the agent polls the token endpoint with grant_type
// urn:openid:params:grant-type:ciba and the auth_req_id. The user is named by `login_hint` (the
// `sub` the agent's tokens carry, for agents that can introspect) or by `login_hint_token` (CIBA
// §7.1): the agent's own current access token for that user, which is all a public agent holds.
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { storedIntent } from '@/lib/audit/stored-intent';
import { ACR } from '@/lib/auth/assurance';
import { authorizationDetailsSchema } from '@/lib/oauth/authorization-details';
import { checkResources } from '@/lib/oauth/check-resources';
import { OAuthError } from '@/lib/oauth/errors';
import { oauthEndpoint } from '@/lib/endpoints/oauth-endpoint';
import type { OAuthParams } from '@/lib/oauth/read-form';
import { readDpopProof } from '@/lib/oauth/dpop/read-dpop-proof';
import { findToken, isTokenActive } from '@/lib/tokens/find-token';
import { parseScope } from '@/lib/scopes/scopes';
import { knownScopeNames } from '@/lib/protected-resources/registry';
import { loadAgentPolicy } from '@/lib/policy/load-agent-policy';
import { refusedByPolicy, requireExactDetails } from '@/lib/approvals/check-elevation';
import { emitEvent } from '@/lib/events/leash-events';
import { hashToken, mintToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';
import { CIBA_GRANT, CIBA_POLL_INTERVAL_SECONDS, CIBA_REQUEST_TTL_SECONDS } from '@/lib/oauth/grants/ciba';
import type { MachineRequest } from '@/lib/http/machine-request';

export const handleBackchannelAuthentication = oauthEndpoint({ ipLimit: true, clientLimit: true, registeredFor: CIBA_GRANT }, async ({ request, params, client, ip }) => {
  const { userId } = await identifyUser(request, params, client.id);

  const scopes = parseScope(params.get('scope'));
  // The person approves what is asked (like a consent screen): the registered scope is not a
  // ceiling (see resolveRequestedScopes); the policy decides what the approval may cover.
  const known = await knownScopeNames();
  const unknown = scopes.filter((s) => !known.has(s) || s === 'offline_access');
  if (unknown.length) throw new OAuthError('invalid_scope', `Cannot ask for: ${unknown.join(' ')}`);
  let details: z.infer<typeof authorizationDetailsSchema> | null = null;
  const rawDetails = params.get('authorization_details');
  if (rawDetails) {
    const parsed = authorizationDetailsSchema.safeParse(parseJson(rawDetails));
    if (!parsed.success) throw new OAuthError('invalid_authorization_details', 'authorization_details are not valid (RFC 9396).');
    details = parsed.data;
  }
  if (!scopes.length && !details) throw new OAuthError('invalid_request', 'Ask for a scope or authorization_details.');
  // An amount or a recipient is approved only as exactly that one (lib/approvals/check-elevation.ts).
  const asked = requireExactDetails(scopes, details);
  const bindingMessage = params.get('binding_message');
  if (bindingMessage !== undefined && (bindingMessage.length > 200 || /[\u0000-\u001f]/.test(bindingMessage))) {
    throw new OAuthError('invalid_binding_message', 'binding_message must be a short line of text.');
  }
  const resources = await checkResources(params.resources);
  const policy = await loadAgentPolicy({ userId, agentId: client.id });
  const user = await db().user.findUniqueOrThrow({ where: { id: userId }, select: { intentStorage: true, intentRetentionDays: true, timeZone: true } });
  const intent = storedIntent(request.headers.get('agent-intent'), user);
  // What the policy forbids even once approved is refused now: the person is never asked to
  // approve what could not happen (CIBA Core section 13 access_denied, 403). Audited.
  const refusal = refusedByPolicy(policy, { agentId: client.id, scopes: asked, details, ip, timeZone: policy.document.timeZone ?? user.timeZone });
  // What both audit rows (refused, or asked) say about the request.
  const audited = { userId, agentId: client.id, scopes: asked, resource: resources.join(' '), ip, intent };
  const detailsAudited = details ? { authorization_details: details } : {};
  if (refusal) {
    const reason = `policy v${policy.version} ${refusal.decision.rule}: ${refusal.decision.reason}`;
    await db().$transaction((tx) =>
      appendAuditEvent(tx, {
        action: 'elevation.refuse',
        decision: 'DENY',
        reason,
        ...audited,
        details: { policy_rule: refusal.decision.rule, ...detailsAudited },
      }),
    );
    throw new OAuthError(
      'access_denied',
      `The user's policy for this agent does not allow ${refusal.what} (${refusal.decision.reason}), so no approval was requested. Only the user can change the policy.`,
      { status: 403 },
    );
  }

  const authReqId = mintToken(TOKEN_PREFIX.authReqId);
  const approvalRequestId = await db().$transaction(async (tx) => {
    const row = await tx.approvalRequest.create({
      data: {
        authReqIdHash: hashToken(authReqId),
        userId,
        agentId: client.id,
        scopes: asked,
        resources,
        authorizationDetails: details ?? undefined,
        bindingMessage: bindingMessage ?? null,
        intent: intent?.text?.text ?? intent?.hash ?? null,
        requiredAcr: ACR.mfa,
        pollIntervalSeconds: CIBA_POLL_INTERVAL_SECONDS,
        windowSeconds: (policy.document.jitMinutes ?? 10) * 60,
        expiresAt: new Date(Date.now() + CIBA_REQUEST_TTL_SECONDS * 1000),
      },
      select: { id: true },
    });
    await appendAuditEvent(tx, {
      action: 'elevation.request',
      decision: 'APPROVAL',
      reason: bindingMessage ? `asks: ${bindingMessage}` : 'asks for just-in-time elevation',
      ...audited,
      details: { approval_request: row.id, ...detailsAudited },
    });
    return row.id;
  });
  // The request and its row have committed: the alert rules and the notifications (email, push,
  // webhook: lib/notifications) listen (lib/events/subscribers.ts).
  void emitEvent('elevation.requested', { userId, agentId: client.id, approvalRequestId });
  return { auth_req_id: authReqId, expires_in: CIBA_REQUEST_TTL_SECONDS, interval: CIBA_POLL_INTERVAL_SECONDS };
});

/**
 * The user the request is for (CIBA §7.1: exactly one of login_hint_token, id_token_hint,
 * login_hint). CIBA §13 unknown_user_id: only a user who granted this agent something can be asked.
 */
async function identifyUser(request: MachineRequest, params: OAuthParams, agentId: string): Promise<{ userId: string }> {
  const loginHint = params.get('login_hint');
  const hintToken = params.get('login_hint_token');
  if (params.get('id_token_hint')) throw new OAuthError('invalid_request', 'id_token_hint is not supported: this server issues no ID tokens. Send login_hint_token.');
  if (loginHint && hintToken) throw new OAuthError('invalid_request', 'Send one of login_hint and login_hint_token (CIBA section 7.1).');
  if (hintToken) {
    // The agent's own access token, active and delegated by a user whose grant is still active.
    // A DPoP-bound token is a hint only with a proof made with its key (RFC 9449 §7: whoever
    // copied the token lacks it), so a stolen bound token cannot start an approval.
    const token = await findToken(hintToken);
    const unknownUser = new OAuthError('unknown_user_id', 'login_hint_token must be an active access token this agent holds for a user.');
    if (!token || token.kind !== 'ACCESS' || token.agentId !== agentId || !token.userId || !token.grantId || !isTokenActive(token)) throw unknownUser;
    if (token.dpopJkt) {
      const proof = await readDpopProof(request);
      if (proof?.jkt !== token.dpopJkt) throw new OAuthError('invalid_dpop_proof', 'login_hint_token is DPoP-bound: send a DPoP proof made with its key.');
    }
    const grant = await db().grant.findFirst({ where: { id: token.grantId, status: 'ACTIVE' }, select: { id: true } });
    if (!grant) throw unknownUser;
    return { userId: token.userId };
  }
  if (!loginHint) throw new OAuthError('invalid_request', "login_hint_token (your access token for the user) or login_hint (the user's sub) is required (CIBA section 7.1).");
  const userId = z.uuid().safeParse(loginHint).success ? loginHint : null;
  const grant = userId ? await db().grant.findFirst({ where: { userId, agentId, status: 'ACTIVE' }, select: { id: true } }) : null;
  if (!userId || !grant) throw new OAuthError('unknown_user_id', 'No user with this sub has connected this agent.');
  return { userId };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
