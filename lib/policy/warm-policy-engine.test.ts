// The start-up warm-up decides real documents with real Cedar, and holds no more than it says.
import { describe, expect, it } from 'vitest';
import { warmPolicyEngine } from './warm-policy-engine';
import { preparsedSetCount } from './evaluate-policy';

describe('warming the policy engine', () => {
  it('decides every action under documents with every rule kind, without throwing, in a few Cedar slots', () => {
    const before = preparsedSetCount();
    // Any document that did not validate or compile, or a decision Cedar could not make, throws.
    expect(warmPolicyEngine()).toBeGreaterThan(0);
    expect(preparsedSetCount() - before).toBe(6);
    // The same versions again: already parsed, nothing more held.
    warmPolicyEngine();
    expect(preparsedSetCount() - before).toBe(6);
  });
});
