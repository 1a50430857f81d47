// The one ranking of assurance levels: what counts as strong, and how an unknown acr ranks.
import { describe, expect, it } from 'vitest';
import { ACR, acrRank, isStrongAcr } from './assurance';

describe('acrRank and isStrongAcr', () => {
  it('rank password < multi-factor < phishing-resistant; none, unknown or prototype names rank as a password', () => {
    expect([ACR.password, ACR.mfa, ACR.phishingResistant].map(acrRank)).toEqual([0, 1, 2]);
    for (const acr of [null, undefined, '', 'urn:other:acr', 'constructor', '__proto__']) expect(acrRank(acr)).toBe(0);
  });

  it('count multi-factor and phishing-resistant as strong (RFC 9470 step-up), nothing else', () => {
    expect([ACR.password, ACR.mfa, ACR.phishingResistant, null, 'urn:other:acr'].map(isStrongAcr)).toEqual([false, true, true, false, false]);
  });
});
