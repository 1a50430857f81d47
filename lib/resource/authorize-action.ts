// Steps 3, 5 and 6 of every agent call, once the token is known good: the scopes the action needs
// (with the hierarchy), the agent's rate limit and quota, then its policy (Cedar). Each refusal is
// the standard answer and is recorded; an allowed call gets the reason its audit row will carry.
import 'server-only';
import { ACR } from '@/lib/auth/assurance';
import { getConfig } from '@/lib/config/config';
import { matchingPaymentDetail } from '@/lib/oauth/authorization-details';
import { expandScopes } from '@/lib/scopes/scopes';
import { ACTIONS, type ActionName, type Sensitivity } from '@/lib/scopes/actions';
import { evaluatePolicy, type PolicyDecision } from '@/lib/policy/evaluate-policy';
import { loadAgentPolicy } from '@/lib/policy/load-agent-policy';
import { checkAgentRate } from '@/lib/resource/agent-rate-limit';
import type { ResourceName } from '@/lib/resource/challenge';
import { ResourceRefusal } from '@/lib/resource/refusal';
import { recordRefusal, type CallContext } from '@/lib/resource/call-context';
import type { FoundToken } from '@/lib/tokens/find-token';

export type Target = { id: string; kind: string; dataset?: string; sensitivity?: Sensitivity };

/** Would this token's policy let it take another action now (for the `_links` of an answer)? */
export type WouldAllow = (action: ActionName, target?: Target, payment?: Payment) => boolean;

/** `consentedPayment`: allowed because the token's consented authorization_details name this payment. */
export type Allowed = { decision: PolicyDecision; reason: string; rateHeaders: Record<string, string>; scopes: string[]; wouldAllow: WouldAllow; consentedPayment: boolean };

/** A payment the call would make; `creditorName` lets a token approved for one exact payment match it. */
export type Payment = { currency: string; amountMinor: number; creditorName?: string };

export async function authorizeAction(
  call: CallContext,
  options: {
    token: FoundToken;
    resource: ResourceName;
    action: ActionName;
    /** What the call acts on; a loader runs after the scope and rate checks (null: not found). */
    target?: Target | (() => Promise<Target | null>);
    payment?: Payment;
    /** Acts in a user's workspace: a token an agent holds for itself (client credentials) is refused. */
    requiresUser?: boolean;
  },
): Promise<{ allowed: Allowed } | { refused: Response }> {
  const { token, action } = options;
  const scopes = [ACTIONS[action].scope];
  const refuse = async (refused: ResourceRefusal, reason: string, decision: 'DENY' | 'STEP_UP' | 'APPROVAL' = 'DENY', policyRule?: string) => ({
    refused: await recordRefusal(call, { refused, reason, action, scopes, token, decision, policyRule }),
  });

  const held = expandScopes(token.scopes);
  if (!scopes.every((s) => held.has(s))) {
    // RFC 6750 §3.1: name every scope the operation needs, in one challenge.
    const scope = scopes.join(' ');
    return refuse(
      new ResourceRefusal('insufficient_scope', `This operation needs: ${scope}.`, { status: 403, challenge: { scheme: 'Bearer', resource: options.resource }, scope }),
      `missing scope (needs ${scope})`,
    );
  }

  if (options.requiresUser && !token.userId) {
    return refuse(new ResourceRefusal('access_denied', "This action works in a user's workspace: use a token a user delegated.", { status: 403 }), 'needs a user-delegated token');
  }

  // The policy and the rate limit answer at once when this instance knows them (no promise: the
  // hot path's common case); otherwise they are waited for.
  const policy = loadAgentPolicy({ userId: token.userId, agentId: token.agentId });
  const { compiled, cacheKey, version, document } = policy instanceof Promise ? await policy : policy;
  // The user's policy may require proof-of-possession (RFC 9449) for this agent.
  if (document.tokens.dpopRequired && !token.dpopJkt) {
    const description = "The user's policy for this agent requires a DPoP-bound token.";
    return refuse(new ResourceRefusal('invalid_token', description, { status: 401, challenge: { scheme: 'DPoP', resource: options.resource } }), `policy v${version}: DPoP required`);
  }
  const counted = checkAgentRate({
    agentId: token.agentId,
    userId: token.userId,
    perMinuteLimit: document.rateLimit.perMinute,
    perDayLimit: document.rateLimit.perDay,
  });
  const rate = counted instanceof Promise ? await counted : counted;
  if (!rate.ok) {
    const refused = new ResourceRefusal('rate_limited', `Slow down: the ${rate.reason} is reached.`, {
      status: 429,
      headers: { 'Retry-After': String(rate.retryAfterSeconds), ...rate.headers },
    });
    return refuse(refused, `policy v${version}: ${rate.reason}`);
  }

  let target: Target | null | undefined;
  if (typeof options.target === 'function') {
    target = await options.target();
    if (!target) {
      return refuse(new ResourceRefusal('not_found', 'No such item in this workspace.', { status: 404 }), 'not found');
    }
  } else {
    target = options.target;
  }

  // A token whose consented authorization_details name this exact payment (RFC 9396 through the
  // consent screen) carries the person's approval of it: it satisfies "needs approval", once per
  // grant (the payment operation records it); the policy's limits still apply.
  const approvedPayment = (payment?: Payment) => payment?.creditorName !== undefined && matchingPaymentDetail(token.authorizationDetails, { ...payment, creditorName: payment.creditorName }) >= 0;
  // One instant for every decision of this call (the call's own, and its answer's links).
  const now = new Date();
  const decide = (name: ActionName, resource?: Target, payment?: Payment, jit = token.jit) =>
    evaluatePolicy(compiled, cacheKey, {
      agentId: token.agentId,
      action: name,
      resource: resource ?? { id: `${ACTIONS[name].kind}s`, kind: ACTIONS[name].kind },
      scopes: held,
      now,
      timeZone: document.timeZone ?? token.user?.timeZone ?? 'UTC',
      ip: call.ip,
      acr: token.acr,
      jit,
      payment,
    });
  let decision = decide(action, target, options.payment);
  let consentedPayment = false;
  if (decision.outcome === 'approval' && !token.jit && approvedPayment(options.payment)) {
    decision = decide(action, target, options.payment, true);
    consentedPayment = decision.outcome === 'allow' || decision.outcome === 'notify';
  }
  const reason = `policy v${version} ${decision.rule}: ${decision.reason}`;
  if (decision.outcome === 'deny') return refuse(policyRefusal('access_denied', decision), reason, 'DENY', decision.rule);
  if (decision.outcome === 'step_up') return refuse(stepUpRefusal(options.resource, decision, scopes), reason, 'STEP_UP', decision.rule);
  if (decision.outcome === 'approval') return refuse(policyRefusal('approval_required', decision, scopes), reason, 'APPROVAL', decision.rule);
  const wouldAllow: WouldAllow = (name, resource, payment) => {
    if (!held.has(ACTIONS[name].scope)) return false;
    const outcome = decide(name, resource, payment).outcome;
    return outcome === 'allow' || outcome === 'notify';
  };
  return { allowed: { decision, reason: consentedPayment ? `${reason} (the payment the user consented to)` : reason, rateHeaders: rate.headers, scopes, wouldAllow, consentedPayment } };
}

function policyRefusal(error: 'access_denied' | 'approval_required', decision: PolicyDecision, scopes?: string[]): ResourceRefusal {
  if (error === 'access_denied') {
    return new ResourceRefusal(error, `Denied by the agent's policy: ${decision.reason}.`, { status: 403, fields: { policy_rule: decision.rule } });
  }
  return new ResourceRefusal(
    error,
    `This action needs the user's approval (${decision.reason}). Ask for it at the backchannel authentication endpoint (OpenID CIBA, poll mode) with login_hint_token set to the access token of this call, this scope (and the action's authorization_details) and a binding_message; poll the token endpoint for a just-in-time token.`,
    {
      status: 403,
      fields: {
        policy_rule: decision.rule,
        required_scope: scopes?.join(' '),
        backchannel_authentication_endpoint: `${getConfig().issuer}/oauth/bc-authorize`,
        // CIBA §7.1 login_hint_token, of this type (RFC 8693 §3 token type URI): the access token a
        // public agent holds names the user and the grant; no sub or introspection needed.
        login_hint_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        grant_type: 'urn:openid:params:grant-type:ciba',
      },
    },
  );
}

/**
 * RFC 9470 §3: ask for a stronger authentication of the user. `required_scope` names the scope of
 * this one action, as the approval refusal does: an agent that steps up through CIBA asks for it
 * alone (a just-in-time token for what it was refused), not for everything it holds, which may
 * include a scope only an exact authorization_details may elevate (payments:write).
 */
function stepUpRefusal(resource: ResourceName, decision: PolicyDecision, scopes: string[]): ResourceRefusal {
  return new ResourceRefusal('insufficient_user_authentication', `This action needs a second factor (${decision.reason}).`, {
    status: 401,
    challenge: { scheme: 'step-up', resource, acrValues: ACR.mfa },
    fields: { acr_values: ACR.mfa, policy_rule: decision.rule, required_scope: scopes.join(' ') },
  });
}
