// Decides one request against a compiled policy with Cedar (@cedar-policy/cedar-wasm), and says
// why: the rule that denied it, or the risk tier of the rule that allowed it. Policy sets are
// pre-parsed once per cache key (policy id and version), so a change applies to the next request.
// Any evaluation failure denies (fail closed).
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { SENSITIVITY, type ActionName, type Sensitivity } from '@/lib/policy/actions';
import type { CompiledPolicy } from '@/lib/policy/compile-policy';

export type PolicyOutcome = 'allow' | 'notify' | 'step_up' | 'approval' | 'deny';
export type PolicyDecision = { outcome: PolicyOutcome; rule: string; reason: string };

export type PolicyRequest = {
  agentId: string;
  action: ActionName;
  resource: { id: string; kind: string; dataset?: string; sensitivity?: Sensitivity };
  scopes: Iterable<string>;
  now: Date;
  timeZone: string;
  ip: string;
  payment?: { currency: string; amountMinor: number };
  /** The token's authentication context: step-up needs mfa or phishing-resistant. */
  acr: string | null;
  /** A just-in-time elevated token satisfies "requires approval". */
  jit: boolean;
};

const STRONG_ACR = new Set(['urn:leash:acr:mfa', 'urn:leash:acr:phr']);
const parsed = new Set<string>();

function clock(now: Date, timeZone: string): { weekday: string; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  return { weekday: get('weekday'), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

function usableIp(ip: string): string {
  const bare = ip.replace(/^::ffff:/, '');
  return /^(\d{1,3}\.){3}\d{1,3}$/.test(bare) || bare.includes(':') ? bare : '0.0.0.0';
}

export function evaluatePolicy(compiled: CompiledPolicy, cacheKey: string, request: PolicyRequest): PolicyDecision {
  if (!parsed.has(cacheKey)) {
    const answer = cedar.preparsePolicySet(cacheKey, { staticPolicies: compiled.policies });
    if (answer.type !== 'success') throw new Error(`policy ${cacheKey} does not parse: ${answer.errors.map((e) => e.message).join('; ')}`);
    parsed.add(cacheKey);
  }
  const { weekday, minute } = clock(request.now, request.timeZone);
  const resource = { type: 'Leash::Resource', id: request.resource.id };
  const answer = cedar.statefulIsAuthorized({
    principal: { type: 'Leash::Agent', id: request.agentId },
    action: { type: 'Leash::Action', id: request.action },
    resource,
    context: {
      scopes: [...request.scopes],
      weekday,
      minute,
      ip: { __extn: { fn: 'ip', arg: usableIp(request.ip) } },
      currency: request.payment?.currency ?? '',
      amountMinor: request.payment?.amountMinor ?? 0,
    },
    preparsedPolicySetId: cacheKey,
    entities: [
      {
        uid: resource,
        attrs: {
          kind: request.resource.kind,
          dataset: request.resource.dataset ?? '',
          sensitivity: SENSITIVITY.indexOf(request.resource.sensitivity ?? 'public'),
        },
        parents: [],
      },
    ],
  });
  if (answer.type !== 'success') throw new Error(`policy evaluation failed: ${answer.errors.map((e) => e.message).join('; ')}`);
  const { decision, diagnostics } = answer.response;
  // A rule that errored never counts as satisfied: with every attribute supplied above, an error
  // means a broken policy, and the request is denied.
  if (diagnostics.errors.length) {
    return { outcome: 'deny', rule: diagnostics.errors[0]!.policyId, reason: 'the policy could not be evaluated' };
  }
  if (decision === 'deny') {
    const rule = diagnostics.reason[0];
    return rule
      ? { outcome: 'deny', rule, reason: compiled.reasons[rule] ?? 'denied by the policy' }
      : { outcome: 'deny', rule: 'default-deny', reason: 'no rule of the policy allows this action' };
  }
  const rule = diagnostics.reason[0] ?? `permit:${request.action}`;
  const tier = compiled.tiers[request.action];
  const reason = compiled.reasons[rule] ?? 'allowed by the policy';
  if (tier === 'step_up' && !(request.acr && STRONG_ACR.has(request.acr))) return { outcome: 'step_up', rule, reason };
  if (tier === 'approval' && !request.jit) return { outcome: 'approval', rule, reason };
  return { outcome: tier === 'notify' ? 'notify' : 'allow', rule, reason };
}
