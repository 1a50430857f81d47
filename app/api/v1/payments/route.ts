// POST /api/v1/payments (payments:write): initiate a payment from the user's workspace. High risk:
// by default the policy asks for the user's approval; a policy may allow it up to an amount.
import { protect } from '@/lib/resource/protect';
import { initiatePaymentInput, toMinorUnits } from '@/lib/workspace/workspace-inputs';

export const dynamic = 'force-dynamic';

export const POST = protect(
  {
    resource: 'api',
    action: 'payments.initiate',
    input: initiatePaymentInput,
    requiresUser: true,
    payment: (input) => ({ currency: input.currency, amountMinor: toMinorUnits(input.amount) }),
  },
  async ({ token, tx, input }) => {
    const payment = await tx.payment.create({
      data: {
        userId: token.userId!,
        agentId: token.agentId,
        currency: input.currency,
        amountMinor: BigInt(toMinorUnits(input.amount)),
        creditorName: input.creditor_name,
        reference: input.reference ?? null,
      },
      select: { id: true, createdAt: true },
    });
    return Response.json(
      { id: payment.id, amount: input.amount, currency: input.currency, creditor_name: input.creditor_name, status: 'initiated', created_at: payment.createdAt.toISOString() },
      { status: 201, headers: { 'Cache-Control': 'no-store' } },
    );
  },
);
