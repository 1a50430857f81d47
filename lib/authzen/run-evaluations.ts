// The evaluations of one AuthZEN request, in order, with the semantic the PEP asked for
// (Authorization API 1.0 §7.1.2.1): `execute_all` evaluates every one; `deny_on_first_deny` stops
// after the first `false` (like &&), `permit_on_first_permit` after the first `true` (like ||).
// The answer lists what was evaluated, the stopping one included; what was never evaluated has no
// decision and no audit row.
import 'server-only';
import type { DeclaredAction } from '@/lib/policy/declared-actions';
import type { ParsedRequest } from '@/lib/authzen/authzen-request';
import { evaluateAccess, type AskingResource, type EvaluationResult } from '@/lib/authzen/evaluate-access';

export async function runEvaluations(options: { resource: AskingResource; declared: readonly DeclaredAction[]; request: ParsedRequest; pepRequestId: string | null }): Promise<EvaluationResult[]> {
  const { semantic, evaluations } = options.request;
  const results: EvaluationResult[] = [];
  // One after another: a short-circuit must not have evaluated (and audited) what comes after it.
  for (const evaluation of evaluations) {
    const result = await evaluateAccess({ resource: options.resource, declared: options.declared, evaluation, pepRequestId: options.pepRequestId });
    results.push(result);
    if (semantic === 'deny_on_first_deny' && !result.decision) break;
    if (semantic === 'permit_on_first_permit' && result.decision) break;
  }
  return results;
}
