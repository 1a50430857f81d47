// Compiles a structured policy document into a Cedar policy set (DECISIONS 6). Every rule gets an
// id and a sentence, so a decision can be explained by the rule that made it. Constraints are
// `forbid` rules (any one of them denies); each allowed action is a `permit` carrying its risk
// tier. Anything not permitted is denied (Cedar's default).
import { ACTIONS, ACTION_NAMES, SENSITIVITY, type ActionName, type RiskTier } from '@/lib/scopes/actions';
import type { PolicyDocument } from '@/lib/policy/policy-document';

/** The id of the rule that refuses calls outside the policy's hours (the out-of-hours alert keys on it). */
export const TIME_WINDOW_RULE = 'time-window';

export type CompiledPolicy = {
  /** Cedar policies by id. */
  policies: Record<string, string>;
  /** What each rule means, for explanations and the audit log. */
  reasons: Record<string, string>;
  tiers: Record<ActionName, RiskTier>;
  /** The whole set as one Cedar text, stored beside the document. */
  text: string;
};

const str = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const DAYS = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' } as const;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
const action = (name: string) => `Leash::Action::${str(name)}`;

export function compilePolicy(document: PolicyDocument): CompiledPolicy {
  const policies: Record<string, string> = {};
  const reasons: Record<string, string> = {};
  const tiers = {} as Record<ActionName, RiskTier>;
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
