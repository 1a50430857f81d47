// RFC 9396 rich authorization requests: the types Leash understands, validated by zod, and their
// description in words for the consent and approval screens.
import { z } from 'zod';
import { toMinorUnits } from '@/lib/policy/money';

const paymentInitiation = z.object({
  type: z.literal('payment_initiation'),
  instructedAmount: z.object({
    currency: z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code'),
    amount: z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'amount must be a decimal string'),
  }),
  creditorName: z.string().trim().min(1).max(140),
  creditorAccount: z.object({ iban: z.string().regex(/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/) }).optional(),
  remittanceInformationUnstructured: z.string().max(140).optional(),
  locations: z.array(z.string().url()).max(5).optional(),
  actions: z.array(z.string().max(50)).max(10).optional(),
});

export const authorizationDetailsSchema = z
  .array(z.discriminatedUnion('type', [paymentInitiation]))
  .min(1)
  .max(5);

export type AuthorizationDetail = z.infer<typeof authorizationDetailsSchema>[number];

// The words live in lib/words/payment-words.ts (the notifications say them too, without importing lib/oauth).
export { describeAuthorizationDetail } from '@/lib/words/payment-words';

/**
 * The index of the payment_initiation detail that names exactly this payment (amount, currency,
 * creditor), or -1: what a token approved for one payment may pay.
 */
export function matchingPaymentDetail(details: unknown, payment: { currency: string; amountMinor: number; creditorName: string }): number {
  const parsed = authorizationDetailsSchema.safeParse(details ?? null);
  if (!parsed.success) return -1;
  return parsed.data.findIndex((d) => d.instructedAmount.currency === payment.currency && toMinorUnits(d.instructedAmount.amount) === payment.amountMinor && d.creditorName === payment.creditorName);
}
