import { describe, expect, it } from 'vitest';
import { formatUserCode, generateUserCode, normalizeUserCode } from './user-code';

describe('device user codes', () => {
  it('are eight consonants, shown with a dash, read back however they are typed', () => {
    const code = generateUserCode();
    expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
    expect(normalizeUserCode(formatUserCode(code).toLowerCase())).toBe(code);
    expect(normalizeUserCode(` ${code.slice(0, 4)} ${code.slice(4)} `)).toBe(code);
  });
  it('refuse what cannot be a code', () => {
    expect(normalizeUserCode('ABCD-EFGH')).toBeNull(); // vowels are not in the alphabet
    expect(normalizeUserCode('BCDF-GHJ')).toBeNull();
    expect(normalizeUserCode('')).toBeNull();
  });
});
