// Amounts as a person types them in the policy editor ("250", "1250.5", "99,90") and as policies
// store them: minor units (cents) of the currency, the same two-decimal reading the agents' API
// gives a payment's amount (toMinorUnits), so a limit of "250" EUR and a payment of "250.00" EUR
// are the same number. Pure, and free of imports: it runs in the browser.

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
  const [whole = '', fraction = ''] = value.replace(',', '.').split('.');
  return Number(whole || '0') * 100 + Number(fraction.padEnd(2, '0'));
}

/** 25000 → "250.00". */
export function formatAmount(amountMinor: number): string {
  return `${Math.floor(amountMinor / 100)}.${String(amountMinor % 100).padStart(2, '0')}`;
}
