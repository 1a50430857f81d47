// The policy simulator (issue 5): "agent X calls action Y on resource Z at time T from IP W" →
// allow, deny, step-up or approval, and the rule that decided. It evaluates a draft (document and
// optional hand-written Cedar) exactly as the resource server would, without storing anything.
import { z } from 'zod';
import { ACTION_NAMES, ACTIONS, SENSITIVITY, type ActionName } from '@/lib/scopes/actions';
import { compileHandWrittenCedar } from '@/lib/policy/hand-written-cedar';
import { compilePolicy } from '@/lib/policy/compile-policy';
import { validateCedarPolicies, type CedarProblem } from '@/lib/policy/cedar-schema';
import { evaluatePolicy, type PolicyDecision } from '@/lib/policy/evaluate-policy';
import type { PolicyDocument } from '@/lib/policy/policy-document';
import { expandScopes } from '@/lib/scopes/scopes';
import crypto from 'node:crypto';

export const simulationSchema = z.object({
  action: z.enum(ACTION_NAMES as [ActionName, ...ActionName[]]),
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
});
export type Simulation = z.infer<typeof simulationSchema>;

/** The draft's Cedar text (compiled, or as written) and its problems; empty problems: valid. */
export function compileDraft(document: PolicyDocument, cedar: string | undefined) {
  if (cedar !== undefined) {
    const handWritten = compileHandWrittenCedar(cedar, document);
    return 'problems' in handWritten ? { problems: handWritten.problems } : { compiled: handWritten.compiled };
  }
  const compiled = compilePolicy(document);
  const problems: CedarProblem[] = validateCedarPolicies(compiled.text);
  return problems.length ? { problems } : { compiled };
}

export function simulate(compiled: NonNullable<ReturnType<typeof compileDraft>['compiled']>, document: PolicyDocument, userTimeZone: string, input: Simulation): PolicyDecision {
  const spec = ACTIONS[input.action];
  // A payment in the limit's own currency unless told otherwise: assuming USD refused every
  // payment under a EUR limit (issue 18).
  const currency = input.currency ?? document.paymentLimit?.currency ?? 'USD';
  const [whole, fraction = ''] = (input.amount ?? '0').split('.');
  // Drafts are not versions: they are pre-parsed under the hash of their text, so an edited draft
  // never meets a stale set and repeated simulations of one draft parse it once.
  const cacheKey = `draft-${crypto.createHash('sha256').update(JSON.stringify(compiled.policies)).digest('hex')}`;
  return evaluatePolicy(compiled, cacheKey, {
    agentId: 'simulated-agent',
    action: input.action,
    resource: input.dataset ? { id: input.dataset, kind: spec.kind, dataset: input.dataset, sensitivity: input.sensitivity } : { id: `${spec.kind}s`, kind: spec.kind, sensitivity: input.sensitivity },
    scopes: expandScopes(input.scopes ?? [spec.scope]),
    now: new Date(input.at),
    timeZone: document.timeZone ?? userTimeZone,
    ip: input.ip,
    acr: input.secondFactor ? 'urn:leash:acr:mfa' : 'urn:leash:acr:pwd',
    jit: false,
    payment: spec.kind === 'payment' ? { currency, amountMinor: Number(whole) * 100 + Number(fraction.padEnd(2, '0')) } : undefined,
  });
}
