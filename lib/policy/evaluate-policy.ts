// Decides one request against a compiled policy with Cedar (@cedar-policy/cedar-wasm), and says
// why: the rule that denied it, or the risk tier of the rule that allowed it. Policy sets are
// pre-parsed once per cache key (policy id and version; kept in bounded slots, below), so a change
// applies to the next request.
// Any evaluation failure denies (fail closed).
import * as cedar from '@/lib/policy/cedar';
import { SENSITIVITY, type Sensitivity } from '@/lib/scopes/actions';
import type { CompiledPolicy } from '@/lib/policy/compile-policy';
import { isStrongAcr } from '@/lib/auth/assurance';

export type PolicyOutcome = 'allow' | 'notify' | 'step_up' | 'approval' | 'deny';
export type PolicyDecision = { outcome: PolicyOutcome; rule: string; reason: string };

export type PolicyRequest = {
  agentId: string;
  /** A Cedar action id: one of Leash's own actions, or a declared one (`<resource>#<name>`, lib/policy/declared-actions.ts). */
  action: string;
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

// Cedar keeps a preparsed policy set until the process ends: cedar-wasm has no call to free one, and
// one per policy version ever decided would grow without bound. So sets live in a fixed number of
// named slots, least recently used first out: preparsing into a slot's name replaces the set it
// held (Cedar's map is keyed by that name), so the WebAssembly memory holds at most MAX_PREPARSED
// sets (about 2 KB each). A policy whose slot was taken is parsed again on its next request (a few
// milliseconds).
// Everything here is synchronous, so no decision can see a slot change under it.
const MAX_PREPARSED = 10_000;
let preparsedLimit = MAX_PREPARSED;

/** Tests only: a smaller bound, so eviction is exercised without thousands of versions. */
export function limitPreparsedSets(limit: number): void {
  preparsedLimit = limit;
}
const slots = new Map<string, string>(); // cache key → slot name, least recently used first
const spare: string[] = []; // slots whose policy did not parse
let slotsMade = 0;

function preparsedSlot(compiled: CompiledPolicy, cacheKey: string): string {
  const slot = slots.get(cacheKey);
  if (slot !== undefined) {
    slots.delete(cacheKey);
    slots.set(cacheKey, slot);
    return slot;
  }
  let free = spare.pop();
  if (free === undefined && slotsMade < preparsedLimit) free = `slot-${slotsMade++}`;
  if (free === undefined) {
    const [oldest, taken] = slots.entries().next().value as [string, string];
    slots.delete(oldest);
    free = taken;
  }
  const answer = cedar.preparsePolicySet(free, { staticPolicies: compiled.policies });
  if (answer.type !== 'success') {
    spare.push(free);
    throw new Error(`policy ${cacheKey} does not parse: ${answer.errors.map((e) => e.message).join('; ')}`);
  }
  slots.set(cacheKey, free);
  return free;
}

/** How many policy sets Cedar holds (for tests: never more than the bound). */
export function preparsedSetCount(): number {
  return slotsMade;
}

// Building a DateTimeFormat costs far more than using one: one per time zone, kept.
const formats = new Map<string, Intl.DateTimeFormat>();

// Cedar's answers, memoised by everything Cedar is given (the policy version's cache key, the
// principal, action, resource and its attributes, and the whole context, minute included): the
// evaluation is a pure function of those, so a repeated request costs a lookup instead of a call
// into WebAssembly. Emptied when full.
type CedarAnswer = { decision: 'allow' | 'deny'; rule: string | undefined; error: string | undefined };
const answers = new Map<string, CedarAnswer>();
const MAX_ANSWERS = 50_000;

// The wall clock in a time zone, worked out once per zone and minute.
const clocks = new Map<string, { weekday: string; minute: number }>();

function clock(now: Date, timeZone: string): { weekday: string; minute: number } {
  const key = `${timeZone} ${Math.floor(now.getTime() / 60_000)}`;
  let found = clocks.get(key);
  if (!found) {
    if (clocks.size > 1000) clocks.clear();
    clocks.set(key, (found = wallClock(now, timeZone)));
  }
  return found;
}

function wallClock(now: Date, timeZone: string): { weekday: string; minute: number } {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  return { weekday: get('weekday'), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

function usableIp(ip: string): string {
  const bare = ip.replace(/^::ffff:/, '');
  return /^(\d{1,3}\.){3}\d{1,3}$/.test(bare) || bare.includes(':') ? bare : '0.0.0.0';
}

export function evaluatePolicy(compiled: CompiledPolicy, cacheKey: string, request: PolicyRequest): PolicyDecision {
  const { weekday, minute } = clock(request.now, request.timeZone);
  const ip = usableIp(request.ip);
  const scopes = [...request.scopes].sort();
  const { id, kind, dataset = '', sensitivity = 'public' } = request.resource;
  const currency = request.payment?.currency ?? '';
  const amountMinor = request.payment?.amountMinor ?? 0;
  const key = [cacheKey, request.agentId, request.action, id, kind, dataset, sensitivity, scopes.join(' '), weekday, minute, ip, currency, amountMinor].join('\u0000');
  let cedarAnswer = answers.get(key);
  if (!cedarAnswer) {
    const preparsedPolicySetId = preparsedSlot(compiled, cacheKey);
    const resource = { type: 'Leash::Resource', id };
    const answer = cedar.statefulIsAuthorized({
      principal: { type: 'Leash::Agent', id: request.agentId },
      action: { type: 'Leash::Action', id: request.action },
      resource,
      context: { scopes, weekday, minute, ip: { __extn: { fn: 'ip', arg: ip } }, currency, amountMinor },
      preparsedPolicySetId,
      entities: [{ uid: resource, attrs: { kind, dataset, sensitivity: SENSITIVITY.indexOf(sensitivity) }, parents: [] }],
    });
    if (answer.type !== 'success') throw new Error(`policy evaluation failed: ${answer.errors.map((e) => e.message).join('; ')}`);
    const { decision, diagnostics } = answer.response;
    cedarAnswer = { decision, rule: diagnostics.reason[0], error: diagnostics.errors[0]?.policyId };
    if (answers.size >= MAX_ANSWERS) answers.clear();
    answers.set(key, cedarAnswer);
  }
  const { decision } = cedarAnswer;
  // A rule that errored never counts as satisfied: with every attribute supplied above, an error
  // means a broken policy, and the request is denied.
  if (cedarAnswer.error !== undefined) {
    return { outcome: 'deny', rule: cedarAnswer.error, reason: 'the policy could not be evaluated' };
  }
  if (decision === 'deny') {
    const rule = cedarAnswer.rule;
    return rule ? { outcome: 'deny', rule, reason: compiled.reasons[rule] ?? 'denied by the policy' } : { outcome: 'deny', rule: 'default-deny', reason: 'no rule of the policy allows this action' };
  }
  const rule = cedarAnswer.rule ?? `permit:${request.action}`;
  const tier = compiled.tiers[request.action];
  // Permitted by a rule, but an action the policy has no tier for (hand-written Cedar allowing
  // every action, asked about one no resource declares): nothing says how risky it is, so no.
  if (tier === undefined) return { outcome: 'deny', rule, reason: 'the policy has no risk tier for this action' };
  const reason = compiled.reasons[rule] ?? 'allowed by the policy';
  if (tier === 'step_up' && !isStrongAcr(request.acr)) return { outcome: 'step_up', rule, reason };
  if (tier === 'approval' && !request.jit) return { outcome: 'approval', rule, reason };
  return { outcome: tier === 'notify' ? 'notify' : 'allow', rule, reason };
}
