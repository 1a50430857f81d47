// The policy simulator (issue 5): "agent X calls action Y on resource Z at time T from IP W" →
// allow, deny, step-up or approval, and the rule that decided. It evaluates a draft (document and
// optional hand-written Cedar) exactly as the resource server would, without storing anything.
import { z } from 'zod';
import { ACTION_NAMES, SENSITIVITY } from '@/lib/scopes/actions';
import { compileHandWrittenCedar } from '@/lib/policy/hand-written-cedar';
import { compilePolicy } from '@/lib/policy/compile-policy';
import { validateCedarPolicies, type CedarProblem } from '@/lib/policy/cedar-schema';
import { evaluatePolicy, type PolicyDecision } from '@/lib/policy/evaluate-policy';
import type { PolicyDocument } from '@/lib/policy/policy-document';
import { expandScopes } from '@/lib/scopes/scopes';
import { declaredActionId, type DeclaredAction } from '@/lib/policy/declared-actions';
import { policyRequestOf, resolvePolicyAction } from '@/lib/policy/policy-request';
import crypto from 'node:crypto';

export const simulationSchema = z
  .object({
    /** One of Leash's own actions, or with `resource`, one that registered resource declares. */
    action: z.string().min(1).max(100),
    /** A registered resource's identifier (issue 14 §3); absent: Leash's own API. */
    resource: z.string().min(1).max(2000).optional(),
    dataset: z.string().max(100).optional(),
    sensitivity: z.enum(SENSITIVITY).optional(),
    at: z.iso.datetime({ offset: true }),
    ip: z.string().max(45).default('203.0.113.10'),
    amount: z
      .string()
      .regex(/^\d{1,9}(\.\d{1,2})?$/)
      .optional(),
    /** The payment's currency; default: the policy's payment limit's, else USD. */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    /** Scopes the token holds; default: the action's scope. */
    scopes: z.array(z.string().max(50)).max(20).optional(),
    secondFactor: z.boolean().default(false),
  })
  .refine((input) => input.resource !== undefined || (ACTION_NAMES as string[]).includes(input.action), { path: ['action'], message: `one of ${ACTION_NAMES.join(', ')}` });
export type Simulation = z.infer<typeof simulationSchema>;

/** The draft's Cedar text (compiled, or as written) and its problems; empty problems: valid. `declared`: registered resources' actions. */
export function compileDraft(document: PolicyDocument, cedar: string | undefined, declared: readonly DeclaredAction[] = []) {
  if (cedar !== undefined) {
    const handWritten = compileHandWrittenCedar(cedar, document, declared);
    return 'problems' in handWritten ? { problems: handWritten.problems } : { compiled: handWritten.compiled };
  }
  const compiled = compilePolicy(document, declared);
  const problems: CedarProblem[] = validateCedarPolicies(
    compiled.text,
    declared.map((a) => declaredActionId(a.resource, a.name)),
  );
  return problems.length ? { problems } : { compiled };
}

/** The draft's decision, or null when the simulated action is not one the policy knows (a resource's action that is not declared). */
export function simulate(
  compiled: NonNullable<ReturnType<typeof compileDraft>['compiled']>,
  document: PolicyDocument,
  userTimeZone: string,
  input: Simulation,
  declared: readonly DeclaredAction[] = [],
): PolicyDecision | null {
  const action = resolvePolicyAction(input.action, input.resource, declared);
  if (!action) return null;
  // Drafts are not versions: they are pre-parsed under the hash of their text, so an edited draft
  // never meets a stale set and repeated simulations of one draft parse it once.
  const cacheKey = `draft-${crypto.createHash('sha256').update(JSON.stringify(compiled.policies)).digest('hex')}`;
  return evaluatePolicy(
    compiled,
    cacheKey,
    policyRequestOf(document, {
      agentId: 'simulated-agent',
      action,
      dataset: input.dataset,
      sensitivity: input.sensitivity,
      at: new Date(input.at),
      ip: input.ip,
      amount: input.amount,
      currency: input.currency,
      scopes: expandScopes(input.scopes ?? [action.scope]),
      acr: input.secondFactor ? 'urn:leash:acr:mfa' : 'urn:leash:acr:pwd',
      jit: false,
      userTimeZone,
    }),
  );
}
