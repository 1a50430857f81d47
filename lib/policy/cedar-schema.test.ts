import { describe, expect, it } from 'vitest';
import { validateCedarPolicies } from './cedar-schema';
import { compilePolicy } from './compile-policy';
import { defaultPolicyDocument } from './policy-document';

describe('the Cedar schema', () => {
  it('accepts every rule the compiler can produce', () => {
    const everything = {
      ...defaultPolicyDocument(),
      actions: { 'datasets.list': 'deny' as const },
      scopeCeiling: ['reports:read' as const],
      resources: { datasets: ['ds_a'], maxSensitivity: 'internal' as const },
      paymentLimit: { currency: 'USD', amountMinor: 5000 },
      timeWindows: [{ days: ['mon' as const], start: '09:00', end: '17:00' }],
      ipRanges: ['10.0.0.0/8'],
    };
    expect(validateCedarPolicies(compilePolicy(everything).text)).toEqual([]);
  });

  it('refuses hand-written Cedar that does not parse or uses what does not exist', () => {
    expect(validateCedarPolicies('permit (principal, action, resource) when {')[0]!.message).toBeTruthy();
    const unknownAttribute = validateCedarPolicies('permit (principal, action == Leash::Action::"datasets.list", resource) when { resource.owner == "me" };');
    expect(unknownAttribute).toHaveLength(1);
    const unknownAction = validateCedarPolicies('permit (principal, action == Leash::Action::"launch.missiles", resource);');
    expect(unknownAction).toHaveLength(1);
    expect(validateCedarPolicies('forbid (principal, action, resource) unless { context.minute < 600 };')).toEqual([]);
  });
});
