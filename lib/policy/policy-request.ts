// What a policy is asked, built one way for the simulator (lib/policy/simulate-policy.ts) and the
// AuthZEN PDP (lib/authzen/): the facts of a call (an action, what it acts on, when, from where, an
// amount) become the request lib/policy/evaluate-policy.ts decides. Both then call that one
// decision function, so for the same facts they cannot answer differently (issue 14 §3: "exactly
// what the simulator would say").
import { ACTION_NAMES, ACTIONS, type ActionName, type Sensitivity } from '@/lib/scopes/actions';
import { declaredActionId, type DeclaredAction } from '@/lib/policy/declared-actions';
import type { PolicyRequest } from '@/lib/policy/evaluate-policy';
import type { PolicyDocument } from '@/lib/policy/policy-document';

/** An action a policy decides: one of Leash's own, or one a registered resource declares. */
export type PolicyAction = {
  /** The Cedar action id. */
  id: string;
  name: string;
  scope: string;
  /** The Cedar resource's `kind` when the caller names none. */
  kind: string;
  /** The registered resource's identifier; null for Leash's own actions. */
  resource: string | null;
  /** Leash's payments always carry an amount; a declared action carries one when it is given. */
  payment: boolean;
};

/** The action `name` of `resource` (a registered resource's identifier), or of Leash's own API when absent; null when there is none. */
export function resolvePolicyAction(name: string, resource: string | undefined, declared: readonly DeclaredAction[]): PolicyAction | null {
  if (resource === undefined) {
    if (!(ACTION_NAMES as string[]).includes(name)) return null;
    const spec = ACTIONS[name as ActionName];
    return { id: name, name, scope: spec.scope, kind: spec.kind, resource: null, payment: spec.kind === 'payment' };
  }
  const found = declared.find((a) => a.resource === resource && a.name === name);
  return found ? { id: declaredActionId(found.resource, found.name), name, scope: found.scope, kind: 'resource', resource, payment: false } : null;
}

export type CallFacts = {
  agentId: string;
  action: PolicyAction;
  /** What the call acts on (AuthZEN `resource`); absent: the dataset, else the action's kind. */
  target?: { id: string; kind: string };
  dataset?: string;
  sensitivity?: Sensitivity;
  at: Date;
  ip: string;
  /** A decimal amount in major units ("12.50"), as the simulator's form and the AuthZEN context give it. */
  amount?: string;
  currency?: string;
  scopes: Iterable<string>;
  acr: string | null;
  jit: boolean;
  /** The person's own time zone (Settings); the policy's own wins. */
  userTimeZone: string;
};

/** A decimal amount ("12.5", "3") in minor units. */
export function amountMinor(amount: string): number {
  const [whole, fraction = ''] = amount.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

export function policyRequestOf(document: PolicyDocument, facts: CallFacts): PolicyRequest {
  const { action, dataset, sensitivity } = facts;
  // A payment in the limit's own currency unless told otherwise: assuming USD refused every
  // payment under a EUR limit (issue 18).
  const currency = facts.currency ?? document.paymentLimit?.currency ?? 'USD';
  const carriesAmount = action.payment || facts.amount !== undefined;
  const target = facts.target ?? (dataset ? { id: dataset, kind: action.kind } : { id: `${action.kind}s`, kind: action.kind });
  return {
    agentId: facts.agentId,
    action: action.id,
    resource: { ...target, ...(dataset ? { dataset } : {}), ...(sensitivity ? { sensitivity } : {}) },
    scopes: facts.scopes,
    now: facts.at,
    timeZone: document.timeZone ?? facts.userTimeZone,
    ip: facts.ip,
    acr: facts.acr,
    jit: facts.jit,
    payment: carriesAmount ? { currency, amountMinor: amountMinor(facts.amount ?? '0') } : undefined,
  };
}
