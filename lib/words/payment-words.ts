// An RFC 9396 payment_initiation detail in words ("Pay €1,250.00 to ACME Ltd"), as the consent
// screen, the approval page and the notifications say it. Structural (no import of lib/oauth, where
// the detail's schema lives), so lib/notifications can say it without depending on the protocol core.

export type PaymentDetailWords = {
  instructedAmount: { currency: string; amount: string };
  creditorName: string;
  creditorAccount?: { iban: string };
  remittanceInformationUnstructured?: string;
};

export function describeAuthorizationDetail(detail: PaymentDetailWords): string {
  const amount = new Intl.NumberFormat('en-US', { style: 'currency', currency: detail.instructedAmount.currency }).format(Number(detail.instructedAmount.amount));
  const account = detail.creditorAccount ? ` (account ${detail.creditorAccount.iban})` : '';
  const note = detail.remittanceInformationUnstructured ? `, reference “${detail.remittanceInformationUnstructured}”` : '';
  return `Pay ${amount} to ${detail.creditorName}${account}${note}`;
}
