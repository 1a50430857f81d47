// The Cedar schema of Leash's policies: the entities, actions and request context the resource
// server supplies (lib/policy/evaluate-policy.ts builds exactly this). Hand-written Cedar is
// validated against it before it can be stored, so a policy cannot refer to attributes that do
// not exist (which would make a rule error, and an erroring forbid rule never applies).
import * as cedar from '@/lib/policy/cedar';
import { ACTION_NAMES } from '@/lib/scopes/actions';

/** The schema; `declared`: the Cedar ids of registered resources' actions (lib/policy/declared-actions.ts), declared like Leash's own. */
export function cedarSchema(declared: readonly string[] = []): string {
  const names = [...ACTION_NAMES, ...declared].map((a) => JSON.stringify(a)).join(', ');
  return CEDAR_SCHEMA_TEMPLATE.replace('__ACTIONS__', () => names);
}

const CEDAR_SCHEMA_TEMPLATE = `namespace Leash {
  entity Agent;
  entity Resource { kind: String, dataset: String, sensitivity: Long };
  type RequestContext = {
    scopes: Set<String>,
    weekday: String,
    minute: Long,
    ip: __cedar::ipaddr,
    currency: String,
    amountMinor: Long,
  };
  action __ACTIONS__ appliesTo {
    principal: [Agent],
    resource: [Resource],
    context: RequestContext,
  };
}
`;

export const CEDAR_SCHEMA = cedarSchema();

/** `policy`: the rule's `@id` (or `rule-N`, its place, as decisions name it); `line`: 1-based. */
export type CedarProblem = { policy: string | null; message: string; line?: number };

/**
 * Parses and validates Cedar policy text against the schema (strict mode). Empty: valid. Cedar
 * names the rules of a text `policy0`, `policy1`, …; problems name them as the person wrote them
 * (issue 18: "policy15" told nobody anything), with the line, once per place in the text (Cedar
 * repeats a mistake for every action a rule applies to).
 */
export function validateCedarPolicies(text: string, declared: readonly string[] = []): CedarProblem[] {
  const answer = cedar.validate({ validationSettings: { mode: 'strict' }, schema: cedarSchema(declared), policies: { staticPolicies: text } });
  const errors = answer.type === 'failure' ? answer.errors.map((error) => ({ policyId: null, error })) : answer.validationErrors;
  if (!errors.length) return [];
  const names = ruleNames(text);
  const problems = new Map<string, CedarProblem>();
  for (const { policyId, error } of errors) {
    const policy = policyId === null ? null : (names.get(policyId) ?? policyId);
    const at = error.sourceLocations?.[0]?.start;
    const key = `${policy} ${at ?? error.message}`;
    const seen = problems.get(key);
    if (seen) {
      // The same place, reported again for another action: the problem is not about one action.
      seen.message = seen.message.replace(/ for Leash::Action::"[^"]*"/, '');
      continue;
    }
    const message = error.message.replace(/^for policy `[^`]*`, /, '') + (error.help ? ` (${error.help})` : '');
    problems.set(key, { policy, message, ...(at !== undefined ? { line: lineOf(text, at) } : {}) });
  }
  return [...problems.values()];
}

/** Cedar's generated id of each rule of the text → its `@id`, or `rule-N` without one. */
function ruleNames(text: string): Map<string, string> {
  const parts = cedar.policySetTextToParts(text);
  if (parts.type !== 'success') return new Map();
  return new Map(
    parts.policies.map((policy, index) => {
      const json = cedar.policyToJson(policy);
      const id = json.type === 'success' ? (json.json.annotations as Record<string, string | null> | undefined)?.id : undefined;
      return [`policy${index}`, id ?? `rule-${index + 1}`];
    }),
  );
}

/** The line of a byte offset (Cedar counts bytes of the UTF-8 text). */
function lineOf(text: string, offset: number): number {
  return Buffer.from(text).subarray(0, offset).toString().split('\n').length;
}
