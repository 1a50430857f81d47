// The policy engine with real Cedar: each rule of a structured policy decides, and says why.
import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile-policy';
import { evaluatePolicy, limitPreparsedSets, preparsedSetCount, type PolicyRequest } from './evaluate-policy';
import type { CompiledPolicy } from './compile-policy';
import { defaultPolicyDocument, policyDocumentSchema, type PolicyDocument } from './policy-document';

let n = 0;
function decide(document: PolicyDocument, change: Partial<PolicyRequest> = {}) {
  const parsed = policyDocumentSchema.parse(document);
  return evaluatePolicy(compilePolicy(parsed), `test-${n++}`, {
    agentId: 'agent-1',
    action: 'datasets.list',
    resource: { id: 'datasets', kind: 'dataset' },
    scopes: ['datasets:read', 'reports:write', 'payments:write', 'invoices:write', 'workflows:trigger'],
    now: new Date('2026-11-24T10:30:00Z'), // a Tuesday
    timeZone: 'UTC',
    ip: '203.0.113.9',
    acr: 'urn:leash:acr:pwd',
    jit: false,
    ...change,
  });
}

const base = defaultPolicyDocument;

describe('the default policy of a new agent', () => {
  it('allows low-risk reads', () => {
    expect(decide(base())).toEqual({ outcome: 'allow', rule: 'permit:datasets.list', reason: 'list datasets is allowed (allow)' });
  });
  it('lets writes through with a notification', () => {
    expect(decide(base(), { action: 'reports.create', resource: { id: 'r', kind: 'report' } }).outcome).toBe('notify');
  });
  it('asks for step-up on disputes, unless the token already carries a second factor', () => {
    const dispute = { action: 'invoices.dispute' as const, resource: { id: 'inv_1', kind: 'invoice' } };
    expect(decide(base(), dispute).outcome).toBe('step_up');
    expect(decide(base(), { ...dispute, acr: 'urn:leash:acr:mfa' }).outcome).toBe('allow');
  });
  it('asks for approval on payments, unless the token is a just-in-time elevation', () => {
    const pay = { action: 'payments.initiate' as const, resource: { id: 'pay', kind: 'payment' } };
    expect(decide(base(), pay).outcome).toBe('approval');
    expect(decide(base(), { ...pay, jit: true }).outcome).toBe('allow');
  });
  it('needs the scope in the token too', () => {
    expect(decide(base(), { scopes: ['reports:read'] })).toMatchObject({ outcome: 'deny', rule: 'default-deny' });
  });
});

describe('rules a user sets', () => {
  it('denies an action set to deny, naming the rule', () => {
    expect(decide({ ...base(), actions: { 'datasets.list': 'deny' } })).toEqual({
      outcome: 'deny',
      rule: 'deny-action:datasets.list',
      reason: 'the policy denies this agent: list datasets',
    });
  });
  it('enforces the scope ceiling', () => {
    expect(decide({ ...base(), scopeCeiling: ['reports:read'] })).toMatchObject({ outcome: 'deny', rule: 'scope-ceiling:datasets.list' });
  });
  it('limits datasets and sensitivity', () => {
    const doc = { ...base(), resources: { datasets: ['ds_public_prices'], maxSensitivity: 'internal' as const } };
    const query = (dataset: string, sensitivity: 'public' | 'confidential') => decide(doc, { action: 'datasets.query', resource: { id: dataset, kind: 'dataset', dataset, sensitivity } });
    expect(query('ds_public_prices', 'public').outcome).toBe('allow');
    expect(query('ds_sales_2026', 'public')).toMatchObject({ outcome: 'deny', rule: 'datasets' });
    expect(query('ds_public_prices', 'confidential')).toMatchObject({ outcome: 'deny', rule: 'sensitivity' });
  });
  it('caps payment amounts in one currency', () => {
    const doc = { ...base(), actions: { 'payments.initiate': 'allow' as const }, paymentLimit: { currency: 'USD', amountMinor: 100_000 } };
    const pay = (currency: string, amountMinor: number) => decide(doc, { action: 'payments.initiate', resource: { id: 'p', kind: 'payment' }, payment: { currency, amountMinor } });
    expect(pay('USD', 99_999).outcome).toBe('allow');
    expect(pay('USD', 125_000)).toMatchObject({ outcome: 'deny', rule: 'payment-limit', reason: 'payments above 1000.00 USD are not allowed' });
    expect(pay('EUR', 10)).toMatchObject({ outcome: 'deny', rule: 'payment-limit' });
  });
  it("allows calls only inside the time windows, in the user's time zone", () => {
    const doc = { ...base(), timeWindows: [{ days: ['mon' as const, 'tue' as const], start: '09:00', end: '17:00' }] };
    expect(decide(doc).outcome).toBe('allow'); // Tue 10:30 UTC
    expect(decide(doc, { now: new Date('2026-11-24T18:00:00Z') })).toMatchObject({ outcome: 'deny', rule: 'time-window' });
    expect(decide(doc, { now: new Date('2026-11-22T10:30:00Z') })).toMatchObject({ outcome: 'deny', rule: 'time-window' }); // Sunday
    // 10:30 UTC is 05:30 in New York: outside 09:00-17:00 there.
    expect(decide(doc, { timeZone: 'America/New_York' })).toMatchObject({ outcome: 'deny', rule: 'time-window' });
  });
  it('allows calls only from the listed networks', () => {
    const doc = { ...base(), ipRanges: ['10.0.0.0/8', '2001:db8::/32'] };
    expect(decide(doc, { ip: '10.1.2.3' }).outcome).toBe('allow');
    expect(decide(doc, { ip: '::ffff:10.1.2.3' }).outcome).toBe('allow');
    expect(decide(doc, { ip: '2001:db8::1' }).outcome).toBe('allow');
    expect(decide(doc, { ip: '203.0.113.9' })).toMatchObject({ outcome: 'deny', rule: 'ip-range' });
    expect(decide(doc, { ip: 'unknown' })).toMatchObject({ outcome: 'deny', rule: 'ip-range' });
  });
});

describe('the policy document', () => {
  it('rejects bad input with a message', () => {
    const bad = [
      { ...base(), ipRanges: ['10.0.0.0'] },
      { ...base(), timeWindows: [{ days: ['mon'], start: '18:00', end: '09:00' }] },
      { ...base(), resources: { datasets: ['x"; permit (principal, action, resource); //'] } },
      { ...base(), actions: { 'datasets.list': 'maybe' } },
      { ...base(), scopeCeiling: ['admin'] },
    ];
    for (const document of bad) expect(policyDocumentSchema.safeParse(document).success).toBe(false);
  });
  it('compiles to Cedar text that names each rule', () => {
    const text = compilePolicy(base()).text;
    expect(text).toContain('@id("permit:datasets.list")');
    expect(text).toContain('permit (principal, action == Leash::Action::"datasets.list", resource)');
  });
});

describe("Cedar's preparsed policy sets", () => {
  it('are bounded: the least recently used slot is reused, and a policy whose slot was taken is parsed again, never decided by the set that took it', () => {
    const tiny = (effect: 'permit' | 'forbid'): CompiledPolicy => {
      const text = `@id("all") ${effect}(principal, action, resource);`;
      return { policies: { all: `${effect}(principal, action, resource);` }, reasons: {}, tiers: { 'datasets.list': 'allow' }, text };
    };
    const request = (agentId: string): PolicyRequest => ({
      agentId,
      action: 'datasets.list',
      resource: { id: 'datasets', kind: 'dataset' },
      scopes: [],
      now: new Date('2026-11-24T10:30:00Z'),
      timeZone: 'UTC',
      ip: '203.0.113.9',
      acr: null,
      jit: false,
    });
    const allowAll = tiny('permit');
    const denyAll = tiny('forbid');
    // The bound (10,000 in production) lowered to just above what this file has made so far.
    const limit = preparsedSetCount() + 20;
    limitPreparsedSets(limit);
    expect(evaluatePolicy(allowAll, 'bounded-first', request('a0')).outcome).toBe('allow');
    // More versions than there are slots, each denying everything: the first one's slot is taken.
    for (let i = 0; i < 40; i++) evaluatePolicy(denyAll, `bounded-${i}`, request('a0'));
    expect(preparsedSetCount()).toBe(limit);
    // Asked something new (not a memoised answer): parsed again, and still its own decision.
    expect(evaluatePolicy(allowAll, 'bounded-first', request('a1')).outcome).toBe('allow');
    expect(evaluatePolicy(denyAll, 'bounded-39', request('a1')).outcome).toBe('deny');
    expect(preparsedSetCount()).toBe(limit);
  });
});
