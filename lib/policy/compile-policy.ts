// Compiles a structured policy document into a Cedar policy set (DECISIONS 6). Every rule gets an
// id and a sentence, so a decision can be explained by the rule that made it. Constraints are
// `forbid` rules (any one of them denies); each allowed action is a `permit` carrying its risk
// tier. Anything not permitted is denied (Cedar's default).
import { ACTIONS, ACTION_NAMES, SENSITIVITY, type RiskTier } from '@/lib/scopes/actions';
import type { PolicyDocument } from '@/lib/policy/policy-document';
import { declaredActionId, declaredTier, type DeclaredAction } from '@/lib/policy/declared-actions';

/** The id of the rule that refuses calls outside the policy's hours (the out-of-hours alert keys on it). */
export const TIME_WINDOW_RULE = 'time-window';

export type CompiledPolicy = {
  /** Cedar policies by id. */
  policies: Record<string, string>;
  /** What each rule means, for explanations and the audit log. */
  reasons: Record<string, string>;
  /** By Cedar action id: Leash's own action names, and `<resource>#<name>` for declared actions. */
  tiers: Record<string, RiskTier>;
  /** The whole set as one Cedar text, stored beside the document. */
  text: string;
};

const str = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const DAYS = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' } as const;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
const action = (name: string) => `Leash::Action::${str(name)}`;

/**
 * `declared`: the actions registered resources declare (lib/policy/declared-actions.ts), compiled
 * like Leash's own after them; none: exactly the policy of Leash's own actions.
 */
export function compilePolicy(document: PolicyDocument, declared: readonly DeclaredAction[] = []): CompiledPolicy {
  const policies: Record<string, string> = {};
  const reasons: Record<string, string> = {};
  const tiers: Record<string, RiskTier> = {};
  const add = (id: string, reason: string, cedar: string) => {
    policies[id] = `@id(${str(id)})\n${cedar}`;
    reasons[id] = reason;
  };

  for (const name of ACTION_NAMES) {
    const spec = ACTIONS[name];
    const tier = document.actions[name] ?? spec.defaultTier;
    tiers[name] = tier;
    if (tier === 'deny') {
      add(`deny-action:${name}`, `the policy denies this agent: ${spec.label.toLowerCase()}`, `forbid (principal, action == ${action(name)}, resource);`);
    } else if (!document.scopeCeiling.includes(spec.scope)) {
      add(`scope-ceiling:${name}`, `${spec.scope} is above this agent's scope ceiling`, `forbid (principal, action == ${action(name)}, resource);`);
    } else {
      add(
        `permit:${name}`,
        `${spec.label.toLowerCase()} is allowed (${tier.replace('_', '-')})`,
        `permit (principal, action == ${action(name)}, resource) when { context.scopes.contains(${str(spec.scope)}) };`,
      );
    }
  }

  // A registered resource's actions, by the same rules. The scope ceiling lists Leash's own scopes
  // only, so it does not apply to them; their scope must still be held (issue 14 §3).
  for (const declaredAction of declared) {
    const id = declaredActionId(declaredAction.resource, declaredAction.name);
    const tier = declaredTier(document.resourceActions, declaredAction);
    tiers[id] = tier;
    const label = `${declaredAction.resourceName}: ${declaredAction.name}`;
    if (tier === 'deny') {
      add(`deny-action:${id}`, `the policy denies this agent: ${label}`, `forbid (principal, action == ${action(id)}, resource);`);
    } else {
      add(`permit:${id}`, `${label} is allowed (${tier.replace('_', '-')})`, `permit (principal, action == ${action(id)}, resource) when { context.scopes.contains(${str(declaredAction.scope)}) };`);
    }
  }

  // Whatever the call acts on (a dataset, a report about one, a workflow over one) names its dataset.
  const datasets = document.resources.datasets;
  if (datasets?.length) {
    add(
      'datasets',
      `only these datasets are allowed: ${datasets.join(', ')}`,
      `forbid (principal, action, resource) when { resource.dataset != "" && ![${datasets.map(str).join(', ')}].contains(resource.dataset) };`,
    );
  }
  if (document.resources.maxSensitivity) {
    const rank = SENSITIVITY.indexOf(document.resources.maxSensitivity);
    add('sensitivity', `data above "${document.resources.maxSensitivity}" sensitivity is off limits`, `forbid (principal, action, resource) when { resource.sensitivity > ${rank} };`);
  }
  if (document.paymentLimit) {
    const { currency, amountMinor } = document.paymentLimit;
    add(
      'payment-limit',
      `payments above ${(amountMinor / 100).toFixed(2)} ${currency} are not allowed`,
      `forbid (principal, action == ${action('payments.initiate')}, resource) when { context.currency != ${str(currency)} || context.amountMinor > ${amountMinor} };`,
    );
  }
  if (document.paymentLimit && declared.length) {
    // A declared action that carries an amount (AuthZEN context `amount`) is held to the same limit.
    const { currency, amountMinor } = document.paymentLimit;
    add(
      'amount-limit',
      `amounts above ${(amountMinor / 100).toFixed(2)} ${currency} are not allowed`,
      `forbid (principal, action in [${declared.map((d) => action(declaredActionId(d.resource, d.name))).join(', ')}], resource) when { context.amountMinor > 0 && (context.currency != ${str(currency)} || context.amountMinor > ${amountMinor}) };`,
    );
  }
  if (document.timeWindows?.length) {
    const windows = document.timeWindows
      .map((w) => `([${w.days.map((d) => str(DAYS[d])).join(', ')}].contains(context.weekday) && context.minute >= ${minutes(w.start)} && context.minute < ${minutes(w.end)})`)
      .join(' || ');
    const described = document.timeWindows.map((w) => `${w.days.join(',')} ${w.start}-${w.end}`).join('; ');
    add(TIME_WINDOW_RULE, `calls are allowed only ${described} (${document.timeZone ?? "the user's time zone"})`, `forbid (principal, action, resource) unless { ${windows} };`);
  }
  if (document.ipRanges?.length) {
    const ranges = document.ipRanges.map((r) => `context.ip.isInRange(ip(${str(r)}))`).join(' || ');
    add('ip-range', `calls are allowed only from ${document.ipRanges.join(', ')}`, `forbid (principal, action, resource) unless { ${ranges} };`);
  }

  return { policies, reasons, tiers, text: Object.values(policies).join('\n\n') + '\n' };
}
