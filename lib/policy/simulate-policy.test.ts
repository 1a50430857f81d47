// The simulator decides a payment in its own currency (issue 18: it assumed USD, so every payment
// under a EUR limit was "denied by payment-limit").
import { describe, expect, it } from 'vitest';
import { defaultPolicyDocument } from './policy-document';
import { compileDraft, simulate, simulationSchema } from './simulate-policy';

const document = { ...defaultPolicyDocument(), paymentLimit: { currency: 'EUR', amountMinor: 25_000 } };
const { compiled } = compileDraft(document, undefined);
const pay = (input: Record<string, unknown>) => simulate(compiled!, document, 'UTC', simulationSchema.parse({ action: 'payments.initiate', at: '2026-11-24T10:30:00Z', ...input }));

describe('simulating a payment against a EUR limit', () => {
  it('defaults to the limit’s currency: at or below the limit goes on to its risk tier, above it is denied', () => {
    expect(pay({ amount: '250' })).toMatchObject({ outcome: 'approval', rule: 'permit:payments.initiate' });
    expect(pay({ amount: '199.99' })?.outcome).toBe('approval');
    expect(pay({ amount: '250.01' })).toMatchObject({ outcome: 'deny', rule: 'payment-limit' });
  });
  it('uses the currency given', () => {
    expect(pay({ amount: '100', currency: 'EUR' })?.outcome).toBe('approval');
    expect(pay({ amount: '100', currency: 'USD' })).toMatchObject({ outcome: 'deny', rule: 'payment-limit' });
  });
});
