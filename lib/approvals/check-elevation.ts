// What an elevation request may ask the person for, decided before anyone is asked.
//
// 1. No blank cheques: a scope whose action has an amount or a recipient (payments:write) is
//    elevated only with the exact RFC 9396 authorization_details of that action (amount, currency,
//    creditor); the just-in-time token then pays that one payment, once. A scope-wide approval
//    ("pay the plumber", no amount) would let the agent pay anything to anyone for the window.
// 2. The person's policy is a hard limit, not a default an approval overrides: its `forbid` rules
//    (scope ceiling, payment limit, denied actions, time windows, address ranges) say "never", and
//    an approval is how the person says "yes" to an action their policy marks as needing one. So a
//    request the policy would refuse even with the approval (evaluated as the just-in-time token
//    would be: approved, second factor, these scopes, this payment) is refused at
//    /oauth/bc-authorize with access_denied (CIBA Core §13) and the person is never asked to
//    approve what could not happen. To allow more, the person raises the limit in the policy.
import 'server-only';
import { ACR } from '@/lib/auth/assurance';
import { type AuthorizationDetail } from '@/lib/oauth/authorization-details';
import { OAuthError } from '@/lib/oauth/errors';
import { expandScopes } from '@/lib/scopes/scopes';
import { ACTIONS, actionOfDetailType, actionsOfScope, exactDetailsFor, exactDetailsOf, type ActionName } from '@/lib/scopes/actions';
import { toMinorUnits } from '@/lib/policy/money';
import { evaluatePolicy, type PolicyDecision } from '@/lib/policy/evaluate-policy';
import type { LoadedPolicy } from '@/lib/policy/load-agent-policy';

/**
 * The scopes the request stands for: what was asked, plus the scope each detail's action needs
 * (authorization_details alone is a complete request, RFC 9396 §2). Throws invalid_authorization_details
 * when a scope with an amount or recipient comes without its exact details.
 */
export function requireExactDetails(scopes: string[], details: AuthorizationDetail[] | null): string[] {
  const all = new Set(scopes);
  for (const detail of details ?? []) {
    const action = actionOfDetailType(detail.type);
    if (action) all.add(ACTIONS[action].scope);
  }
  for (const scope of all) {
    const exact = exactDetailsFor(scope);
    if (exact && !details?.some((d) => d.type === exact.type)) {
      throw new OAuthError(
        'invalid_authorization_details',
        `${scope} is approved only for one exact ${ACTIONS[exact.action].label.toLowerCase().replace(/^initiate a /, '')}: send authorization_details of type ${exact.type} naming the amount, currency and creditor (RFC 9396 section 2), not the scope alone.`,
      );
    }
  }
  return [...all];
}

export type ElevationRefusal = { decision: PolicyDecision; what: string };

/** The first thing the policy would refuse even once approved, or null. */
export function refusedByPolicy(policy: LoadedPolicy, request: { agentId: string; scopes: string[]; details: AuthorizationDetail[] | null; ip: string; timeZone: string }): ElevationRefusal | null {
  const held = expandScopes(request.scopes);
  const now = new Date();
  const decide = (action: ActionName, payment?: { currency: string; amountMinor: number }) =>
    evaluatePolicy(policy.compiled, policy.cacheKey, {
      agentId: request.agentId,
      action,
      resource: { id: `${ACTIONS[action].kind}s`, kind: ACTIONS[action].kind },
      scopes: held,
      now,
      timeZone: request.timeZone,
      ip: request.ip,
      acr: ACR.mfa,
      jit: true,
      payment,
    });
  for (const detail of request.details ?? []) {
    const payment = { currency: detail.instructedAmount.currency, amountMinor: toMinorUnits(detail.instructedAmount.amount) };
    const decision = decide('payments.initiate', payment);
    if (decision.outcome === 'deny') return { decision, what: `${detail.instructedAmount.amount} ${detail.instructedAmount.currency} to ${detail.creditorName}` };
  }
  for (const scope of request.scopes) {
    // A scope is worth asking for when at least one of its actions could then be taken (actions with
    // exact details were decided above, for the payment they name).
    const actions = actionsOfScope(scope).filter((a) => !exactDetailsOf(a));
    if (!actions.length) continue;
    const decisions = actions.map((a) => decide(a));
    if (decisions.every((d) => d.outcome === 'deny')) return { decision: decisions[0]!, what: scope };
  }
  return null;
}
