// Amounts as the API and RFC 9396 details write them (decimal strings), as a person types them in
// the policy editor ("250", "99,90"), and as policies compare them (integer minor units of the
// currency), converted without floating point: a limit typed "250" and a payment of "250.00" are the
// same number. Free of imports: it runs in the browser too.

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

/** What a money field accepts while it is being typed: up to 9 digits, then 2 decimals at most. */
const TYPING = /^\d{0,9}([.,]\d{0,2})?$/;

/**
 * The minor units a money field's text stands for: `undefined` while it holds no digit (empty, or
 * just the "." of ".5"), null when it cannot become an amount (the field refuses that keystroke).
 */
export function readAmount(text: string): number | undefined | null {
  const value = text.trim();
  if (!TYPING.test(value)) return null;
  if (!/\d/.test(value)) return undefined;
  return toMinorUnits(value.replace(',', '.').replace(/^\./, '0.').replace(/\.$/, ''));
}
