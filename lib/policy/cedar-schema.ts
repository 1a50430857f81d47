// The Cedar schema of Leash's policies: the entities, actions and request context the resource
// server supplies (lib/policy/evaluate-policy.ts builds exactly this). Hand-written Cedar is
// validated against it before it can be stored, so a policy cannot refer to attributes that do
// not exist (which would make a rule error, and an erroring forbid rule never applies).
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { ACTION_NAMES } from '@/lib/policy/actions';

export const CEDAR_SCHEMA = `namespace Leash {
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
  action ${ACTION_NAMES.map((a) => `"${a}"`).join(', ')} appliesTo {
    principal: [Agent],
    resource: [Resource],
    context: RequestContext,
  };
}
`;

export type CedarProblem = { policy: string | null; message: string };

/** Parses and validates Cedar policy text against the schema (strict mode). Empty: valid. */
export function validateCedarPolicies(text: string): CedarProblem[] {
  const answer = cedar.validate({ validationSettings: { mode: 'strict' }, schema: CEDAR_SCHEMA, policies: { staticPolicies: text } });
  if (answer.type === 'failure') return answer.errors.map((e) => ({ policy: null, message: e.message }));
  return answer.validationErrors.map((e) => ({ policy: e.policyId, message: e.error.message }));
}
