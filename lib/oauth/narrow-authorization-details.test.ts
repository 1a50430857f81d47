// What a narrowed token may keep of its subject's RFC 9396 authorization details.
import { describe, expect, it } from 'vitest';
import { narrowAuthorizationDetails } from './narrow-authorization-details';

const pay = (amount: string, creditorName = 'ACME Ltd') => ({ type: 'payment_initiation' as const, instructedAmount: { currency: 'EUR', amount }, creditorName });
const code = (run: () => unknown) => {
  try {
    run();
    return null;
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('narrowAuthorizationDetails', () => {
  it('keeps the subject’s details when none are asked for, and none when it has none', () => {
    expect(narrowAuthorizationDetails([pay('10.00')], undefined)).toEqual([pay('10.00')]);
    expect(narrowAuthorizationDetails(null, undefined)).toBeNull();
  });

  it('keeps some of them when those are asked for unchanged', () => {
    expect(narrowAuthorizationDetails([pay('10.00'), pay('20.00')], JSON.stringify([pay('20.00')]))).toEqual([pay('20.00')]);
  });

  it('refuses a changed, an added or a malformed detail with invalid_authorization_details (RFC 9396 §6)', () => {
    expect(code(() => narrowAuthorizationDetails([pay('10.00')], JSON.stringify([pay('5.00')])))).toBe('invalid_authorization_details');
    expect(code(() => narrowAuthorizationDetails([pay('10.00')], JSON.stringify([pay('10.00', 'Someone else')])))).toBe('invalid_authorization_details');
    expect(code(() => narrowAuthorizationDetails(null, JSON.stringify([pay('10.00')])))).toBe('invalid_authorization_details');
    expect(code(() => narrowAuthorizationDetails([pay('10.00')], '[{"type":"payment_initiation"}]'))).toBe('invalid_authorization_details');
    expect(code(() => narrowAuthorizationDetails([pay('10.00')], 'not json'))).toBe('invalid_authorization_details');
  });
});
