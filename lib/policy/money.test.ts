import { describe, expect, it } from 'vitest';
import { fromMinorUnits, readAmount, toMinorUnits } from './money';

describe('readAmount', () => {
  // Issue 18: typing "250" in the payment limit gave "2.01" (the field reformatted cents per keystroke).
  it('reads what was typed, keystroke by keystroke, as minor units', () => {
    expect(['2', '25', '250'].map(readAmount)).toEqual([200, 2500, 25000]);
    expect(['1250.', '1250.5', '1250.50'].map(readAmount)).toEqual([125000, 125050, 125050]);
  });
  it('accepts a decimal comma and a leading point', () => {
    expect(readAmount('99,90')).toBe(9990);
    expect(readAmount('.5')).toBe(50);
  });
  it('answers undefined for a field without digits and null for what is not an amount', () => {
    expect(readAmount('')).toBeUndefined();
    expect(readAmount('  ')).toBeUndefined();
    expect(readAmount('.')).toBeUndefined(); // on the way to ".5"
    for (const text of ['2.505', '1e3', '-5', 'abc', '1 000', '1234567890']) expect(readAmount(text), text).toBeNull();
  });
});

describe('fromMinorUnits and toMinorUnits', () => {
  it('shows minor units with two decimals, and reads back to the same number', () => {
    expect(fromMinorUnits(25000)).toBe('250.00');
    expect(fromMinorUnits(5)).toBe('0.05');
    expect(readAmount(fromMinorUnits(125050))).toBe(125050);
    expect(toMinorUnits('1250.5')).toBe(125050);
  });
});
