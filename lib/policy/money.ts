// Amounts as the API and RFC 9396 details write them (decimal strings) and as policies compare
// them (integer minor units), converted without floating point.

/** "1250.5" → 125050 minor units. */
export function toMinorUnits(amount: string): number {
  const [whole, fraction = ''] = amount.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** 125050 → "1250.50". */
export function fromMinorUnits(minor: bigint | number): string {
  const value = BigInt(minor);
  return `${value / 100n}.${String(value % 100n).padStart(2, '0')}`;
}
