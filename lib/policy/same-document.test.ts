import { describe, expect, it } from 'vitest';
import { defaultPolicyDocument, policyDocumentSchema } from './policy-document';
import { sameDocument } from './same-document';

describe('sameDocument', () => {
  // Issue 18: "You have unsaved changes" after every save, because the saved version came back with
  // its keys in another order than the editor's draft.
  it('ignores key order, at every depth', () => {
    const draft = { ...defaultPolicyDocument(), paymentLimit: { currency: 'EUR', amountMinor: 25000 }, jitMinutes: 5 };
    const saved = policyDocumentSchema.parse(JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(draft).reverse()))));
    const reordered = { ...saved, paymentLimit: { amountMinor: 25000, currency: 'EUR' }, rateLimit: { perDay: 100_000, perMinute: 600 } };
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(draft));
    expect(sameDocument(draft, reordered)).toBe(true);
  });
  it('treats an undefined field as absent', () => {
    expect(sameDocument({ ...defaultPolicyDocument(), paymentLimit: undefined }, defaultPolicyDocument())).toBe(true);
  });
  it('still sees real changes, including in arrays and their order', () => {
    const base = defaultPolicyDocument();
    expect(sameDocument(base, { ...base, jitMinutes: 10 })).toBe(false);
    expect(sameDocument({ ...base, mayAct: ['a', 'b'] }, { ...base, mayAct: ['b', 'a'] })).toBe(false);
    expect(sameDocument(base, { ...base, rateLimit: { ...base.rateLimit, perMinute: 601 } })).toBe(false);
  });
});
