// One AuthZEN access evaluation (OpenID AuthZEN Authorization API 1.0 §6) for an authenticated
// resource server: the action must be one it declares, the subject an agent acting for a user
// (lib/authzen/resolve-subject.ts), and the decision is the agent's policy's, made by the one
// decision function the resource server and the simulator use (lib/policy/evaluate-policy.ts, fed
// by lib/policy/policy-request.ts), with the same reason. Each evaluation has its audit row
// (`authzen.evaluation`), written by evaluateAccess's caller before it answers.
import 'server-only';
import { ACR } from '@/lib/auth/assurance';
import { getConfig } from '@/lib/config/config';
import type { AuditDecision, AuditInput } from '@/lib/audit/append-audit-event';
import { evaluatePolicy, type PolicyOutcome } from '@/lib/policy/evaluate-policy';
import { loadAgentPolicy } from '@/lib/policy/load-agent-policy';
import { policyRequestOf, resolvePolicyAction } from '@/lib/policy/policy-request';
import type { DeclaredAction } from '@/lib/policy/declared-actions';
import { contextAmount, type Evaluation } from '@/lib/authzen/authzen-request';
import { resolveSubject } from '@/lib/authzen/resolve-subject';

/** The asking resource server, as the registry describes it. */
export type AskingResource = { identifier: string; clientId: string | null };

export type EvaluationResult = {
  /** §5.5 Decision. */
  decision: boolean;
  /** §5.5.1 Decision Context: why (the rule and its text) or, for an evaluation that could not be made, `error` (§7.2.1). */
  context: Record<string, unknown>;
  /** The evaluation asked about an action the resource does not declare: a single evaluation answers 403. */
  forbidden: boolean;
  audit: AuditInput<'authzen.evaluation'>;
};

const AUDIT_DECISION: Record<PolicyOutcome, AuditDecision> = { allow: 'ALLOW', notify: 'ALLOW', step_up: 'STEP_UP', approval: 'APPROVAL', deny: 'DENY' };

export async function evaluateAccess(options: {
  resource: AskingResource;
  declared: readonly DeclaredAction[];
  evaluation: Evaluation;
  /** The PEP's `X-Request-ID` (§10.1.3), kept with the row. */
  pepRequestId: string | null;
}): Promise<EvaluationResult> {
  const { resource, evaluation } = options;
  const { context } = evaluation;
  const details = {
    resource_server: resource.identifier,
    action: evaluation.action.name,
    resource_type: evaluation.resource.type,
    resource_id: evaluation.resource.id.slice(0, 200),
    ...(options.pepRequestId ? { pep_request_id: options.pepRequestId.slice(0, 200) } : {}),
  };
  const row = {
    action: 'authzen.evaluation' as const,
    resource: `${resource.identifier} ${evaluation.action.name} ${evaluation.resource.type}:${evaluation.resource.id}`.slice(0, 500),
    ip: context.ip ?? ipAddressOf(evaluation) ?? null,
  };
  const closed = (status: number, message: string, forbidden = false): EvaluationResult => ({
    decision: false,
    context: { error: { status, message } },
    forbidden,
    audit: { ...row, decision: 'DENY', reason: `refused: ${message}`, details: { ...details, error: status } },
  });

  // Issue 14 §3: one resource can only ask about its own actions.
  const action = resolvePolicyAction(evaluation.action.name, resource.identifier, options.declared);
  if (!action) return closed(403, `${resource.identifier} declares no action "${evaluation.action.name.slice(0, 100)}".`, true);

  const resolved = await resolveSubject(evaluation.subject, resource.identifier);
  if ('error' in resolved) return closed(resolved.error.status, resolved.error.message);
  const { subject } = resolved;
  const ids = { userId: subject.userId, agentId: subject.agentId, tokenId: subject.tokenId };
  const scopes = [action.scope];
  const refuse = (reason: string, extra: Record<string, unknown> = {}): EvaluationResult => ({
    decision: false,
    context: { outcome: 'deny', reason, ...extra },
    forbidden: false,
    audit: { ...row, ...ids, scopes, decision: 'DENY', reason, details: { ...details, outcome: 'deny' } },
  });

  // As the resource server checks a call (lib/resource/authorize-action.ts): the scope first
  // (RFC 6750 §3.1), then the policy's DPoP requirement (RFC 9449), then the policy.
  if (!subject.scopes.has(action.scope)) return refuse(`missing scope (needs ${action.scope})`, { required_scope: action.scope });
  const policy = await loadAgentPolicy({ userId: subject.userId, agentId: subject.agentId, declared: options.declared });
  if (policy.document.tokens.dpopRequired && subject.dpopBound === false) return refuse(`policy v${policy.version}: DPoP required`, { policy_version: policy.version });

  const decided = evaluatePolicy(
    policy.compiled,
    policy.cacheKey,
    policyRequestOf(policy.document, {
      agentId: subject.agentId,
      action,
      target: { id: evaluation.resource.id, kind: evaluation.resource.type },
      dataset: context.dataset,
      sensitivity: context.sensitivity,
      // §5.4: the PEP tells when and from where (the spec's `ip_address` subject property, §5.1.1, too).
      at: context.time ? new Date(context.time) : new Date(),
      ip: context.ip ?? ipAddressOf(evaluation) ?? '',
      amount: contextAmount(context),
      currency: context.currency,
      scopes: subject.scopes,
      acr: subject.acr,
      jit: subject.jit,
      userTimeZone: subject.timeZone,
    }),
  );
  const reason = `policy v${policy.version} ${decided.rule}: ${decided.reason}`;
  const cedar = policy.compiled.policies[decided.rule];
  const allowed = decided.outcome === 'allow' || decided.outcome === 'notify';
  return {
    decision: allowed,
    context: {
      outcome: decided.outcome,
      rule: decided.rule,
      reason: decided.reason,
      ...(cedar ? { cedar } : {}),
      policy_version: policy.version,
      reason_admin: { en: reason },
      // §5.5.2 example 3: what the agent must come back with.
      ...(decided.outcome === 'step_up' ? { acr_values: ACR.mfa } : {}),
      ...(decided.outcome === 'approval' ? { required_scope: action.scope, backchannel_authentication_endpoint: `${getConfig().issuer}/oauth/bc-authorize` } : {}),
    },
    forbidden: false,
    audit: {
      ...row,
      ...ids,
      scopes,
      decision: AUDIT_DECISION[decided.outcome],
      reason,
      details: { ...details, outcome: decided.outcome, policy_rule: decided.rule },
    },
  };
}

function ipAddressOf(evaluation: Evaluation): string | undefined {
  const value = evaluation.subject.properties?.ip_address;
  return typeof value === 'string' && /^[0-9A-Fa-f:.]{2,45}$/.test(value) ? value : undefined;
}
