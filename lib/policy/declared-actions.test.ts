// A registered resource's declared actions (issue 14 §3) are decided by the agent's policy like
// Leash's own: their risk gives their default tier, the document can change it, the policy's
// time, address and amount rules apply to them, and Leash's own actions compile exactly as before.
import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile-policy';
import { validateCedarPolicies } from './cedar-schema';
import { declaredActionId, declaredActionsOf, defaultTierOf, type DeclaredAction } from './declared-actions';
import { compileHandWrittenCedar } from './hand-written-cedar';
import { defaultPolicyDocument, policyDocumentSchema, type PolicyDocument } from './policy-document';
import { compileDraft, simulate, simulationSchema } from './simulate-policy';

const API = 'https://orders.example.com';
const declared: DeclaredAction[] = declaredActionsOf([
  { identifier: 'https://leash.example/api', name: 'Leash', builtIn: true, actions: [{ name: 'ignored', scope: 'x', risk: 'low', description: '' }] },
  {
    identifier: API,
    name: 'Orders',
    builtIn: false,
    actions: [
      { name: 'orders.read', scope: 'orders:read', risk: 'low', description: 'Read an order' },
      { name: 'orders.update', scope: 'orders:write', risk: 'medium', description: 'Change an order' },
      { name: 'orders.refund', scope: 'orders:write', risk: 'high', description: 'Refund an order' },
    ],
  },
]);

function decide(document: PolicyDocument, input: Record<string, unknown>) {
  const parsed = policyDocumentSchema.parse(document);
  const draft = compileDraft(parsed, undefined, declared);
  expect(draft.problems).toBeUndefined();
  return simulate(draft.compiled!, parsed, 'UTC', simulationSchema.parse({ resource: API, at: '2026-11-24T10:30:00Z', ...input }), declared);
}

describe('declared actions in a policy', () => {
  it('are the registered resources’ own, not the built-in ones', () => {
    expect(declared.map((a) => a.name)).toEqual(['orders.read', 'orders.update', 'orders.refund']);
    expect(declaredActionId(API, 'orders.read')).toBe('https://orders.example.com#orders.read');
  });

  it('leave Leash’s own policy text unchanged when there are none', () => {
    const document = defaultPolicyDocument();
    expect(compilePolicy(document, []).text).toBe(compilePolicy(document).text);
  });

  it('get the default tier of their risk, and validate against the schema that declares them', () => {
    expect([defaultTierOf('low'), defaultTierOf('medium'), defaultTierOf('high')]).toEqual(['allow', 'notify', 'approval']);
    const compiled = compilePolicy(defaultPolicyDocument(), declared);
    expect(
      validateCedarPolicies(
        compiled.text,
        declared.map((a) => declaredActionId(a.resource, a.name)),
      ),
    ).toEqual([]);
    // Without the declared actions in the schema, a rule naming one does not validate.
    expect(validateCedarPolicies(compiled.text).length).toBeGreaterThan(0);
    expect(decide(defaultPolicyDocument(), { action: 'orders.read' })).toEqual({
      outcome: 'allow',
      rule: `permit:${API}#orders.read`,
      reason: 'Orders: orders.read is allowed (allow)',
    });
    expect(decide(defaultPolicyDocument(), { action: 'orders.update' })?.outcome).toBe('notify');
    expect(decide(defaultPolicyDocument(), { action: 'orders.refund' })?.outcome).toBe('approval');
  });

  it('take the tier the person set, deny included', () => {
    const document = { ...defaultPolicyDocument(), resourceActions: { [API]: { 'orders.read': 'step_up' as const, 'orders.refund': 'deny' as const } } };
    expect(decide(document, { action: 'orders.read' })?.outcome).toBe('step_up');
    expect(decide(document, { action: 'orders.read', secondFactor: true })?.outcome).toBe('allow');
    expect(decide(document, { action: 'orders.refund' })).toMatchObject({ outcome: 'deny', rule: `deny-action:${API}#orders.refund` });
  });

  it('need their scope, time window, address range and amount limit like Leash’s own', () => {
    const document: PolicyDocument = {
      ...defaultPolicyDocument(),
      paymentLimit: { currency: 'EUR', amountMinor: 5_000 },
      timeWindows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }],
      ipRanges: ['203.0.113.0/24'],
    };
    expect(decide(document, { action: 'orders.read', scopes: ['reports:read'] })).toMatchObject({ outcome: 'deny', rule: 'default-deny' });
    expect(decide(document, { action: 'orders.read', at: '2026-11-24T20:00:00Z' })).toMatchObject({ outcome: 'deny', rule: 'time-window' });
    expect(decide(document, { action: 'orders.read', ip: '198.51.100.7' })).toMatchObject({ outcome: 'deny', rule: 'ip-range' });
    expect(decide(document, { action: 'orders.update', amount: '50.00' })?.outcome).toBe('notify');
    expect(decide(document, { action: 'orders.update', amount: '50.01' })).toMatchObject({ outcome: 'deny', rule: 'amount-limit', reason: 'amounts above 50.00 EUR are not allowed' });
    expect(decide(document, { action: 'orders.update', amount: '10', currency: 'USD' })).toMatchObject({ outcome: 'deny', rule: 'amount-limit' });
    // No amount: the limit does not apply.
    expect(decide(document, { action: 'orders.update' })?.outcome).toBe('notify');
  });

  it('are unknown to the simulator when the resource does not declare them', () => {
    const parsed = defaultPolicyDocument();
    const { compiled } = compileDraft(parsed, undefined, declared);
    expect(simulate(compiled!, parsed, 'UTC', simulationSchema.parse({ action: 'orders.delete', resource: API, at: '2026-11-24T10:30:00Z' }), declared)).toBeNull();
    expect(simulationSchema.safeParse({ action: 'orders.read', at: '2026-11-24T10:30:00Z' }).success).toBe(false);
  });

  it('under hand-written Cedar, are decided by its rules that name no action, at their tiers', () => {
    const text = '@id("all-reads")\npermit (principal, action, resource) when { context.minute >= 0 };';
    const handWritten = compileHandWrittenCedar(text, defaultPolicyDocument(), declared);
    expect('compiled' in handWritten && handWritten.compiled.tiers[`${API}#orders.refund`]).toBe('approval');
  });

  it('keep their tiers in the document by resource and name', () => {
    expect(policyDocumentSchema.safeParse({ ...defaultPolicyDocument(), resourceActions: { [API]: { 'orders.read': 'sometimes' } } }).success).toBe(false);
    expect(policyDocumentSchema.safeParse({ ...defaultPolicyDocument(), resourceActions: { [API]: { 'orders.read': 'notify' } } }).success).toBe(true);
  });
});
