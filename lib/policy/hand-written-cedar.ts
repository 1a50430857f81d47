// Hand-written Cedar for an agent's policy (issue 4: "raw Cedar text may also be supplied"): split
// into its rules, each named by its `@id` annotation (or its position) and explained by its
// `@reason` annotation, so decisions made by it are explained like compiled ones. The text must
// validate against Leash's Cedar schema first (lib/policy/cedar-schema.ts).
import * as cedar from '@/lib/policy/cedar';
import { ACTION_NAMES, ACTIONS, type RiskTier } from '@/lib/scopes/actions';
import { validateCedarPolicies, type CedarProblem } from '@/lib/policy/cedar-schema';
import type { CompiledPolicy } from '@/lib/policy/compile-policy';
import type { PolicyDocument } from '@/lib/policy/policy-document';
import { declaredActionId, declaredTier, type DeclaredAction } from '@/lib/policy/declared-actions';

const MAX_CEDAR = 50_000;
const RULE_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

/**
 * `declared`: registered resources' actions; their tiers come from the document like Leash's own.
 * The text is validated against Leash's own actions only, so a stored hand-written policy never
 * stops validating when a resource is removed; it governs declared actions through its rules that
 * name no action (`permit (principal, action, resource) when { … }`).
 */
export function compileHandWrittenCedar(text: string, document: PolicyDocument, declared: readonly DeclaredAction[] = []): { compiled: CompiledPolicy } | { problems: CedarProblem[] } {
  if (text.length > MAX_CEDAR) return { problems: [{ policy: null, message: `The policy is longer than ${MAX_CEDAR} characters.` }] };
  const problems = validateCedarPolicies(text);
  if (problems.length) return { problems };
  const parts = cedar.policySetTextToParts(text);
  if (parts.type !== 'success') return { problems: parts.errors.map((e) => ({ policy: null, message: e.message })) };
  if (parts.policy_templates.length) return { problems: [{ policy: null, message: 'Templates are not supported: write static policies.' }] };
  if (!parts.policies.length) return { problems: [{ policy: null, message: 'The policy has no rules: it would deny everything.' }] };

  const policies: Record<string, string> = {};
  const reasons: Record<string, string> = {};
  for (const [index, policy] of parts.policies.entries()) {
    const json = cedar.policyToJson(policy);
    if (json.type !== 'success') return { problems: json.errors.map((e) => ({ policy: null, message: e.message })) };
    const annotations = (json.json.annotations ?? {}) as Record<string, string | null>;
    const id = annotations.id ?? `rule-${index + 1}`;
    if (!RULE_ID.test(id)) return { problems: [{ policy: id, message: 'A rule @id is 1 to 100 letters, digits or _ . : -' }] };
    if (policies[id]) return { problems: [{ policy: id, message: `Two rules have the @id "${id}".` }] };
    policies[id] = policy;
    reasons[id] = annotations.reason ?? `${json.json.effect} rule "${id}" of the hand-written policy`;
  }
  const tiers: Record<string, RiskTier> = Object.fromEntries(ACTION_NAMES.map((a) => [a, document.actions[a] ?? ACTIONS[a].defaultTier]));
  for (const action of declared) tiers[declaredActionId(action.resource, action.name)] = declaredTier(document.resourceActions, action);
  return { compiled: { policies, reasons, tiers, text } };
}
