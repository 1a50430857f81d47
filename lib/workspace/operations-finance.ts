// The workspace's money operations: invoices (list, read, dispute) and payments (initiate).
// Registered in lib/workspace/operations.ts.
import 'server-only';
import { defineOperation, links, OperationError } from '@/lib/resource/operation';

import { disputeInvoiceInput, initiatePaymentInput, invoiceParams } from '@/lib/workspace/workspace-inputs';
import { fromMinorUnits, toMinorUnits } from '@/lib/policy/money';
import { invoiceSchema, listInvoicesOutput, paymentSchema } from '@/lib/workspace/workspace-outputs';
import { db } from '@/lib/db/client';
import { matchingPaymentDetail } from '@/lib/oauth/authorization-details';
import { revokeTokens } from '@/lib/tokens/revoke-tokens';
import type { InvoiceStatus } from '@/lib/generated/prisma/client';
const INVOICE_FIELDS = { id: true, number: true, vendor: true, currency: true, amountMinor: true, issuedOn: true, dueOn: true, status: true, disputeReason: true, disputedAt: true } as const;
type InvoiceRow = {
  id: string;
  number: string;
  vendor: string;
  currency: string;
  amountMinor: bigint;
  issuedOn: Date;
  dueOn: Date;
  status: InvoiceStatus;
  disputeReason: string | null;
  disputedAt: Date | null;
};
const day = (d: Date) => d.toISOString().slice(0, 10);
const invoiceJson = (i: InvoiceRow) => ({
  id: i.id,
  number: i.number,
  vendor: i.vendor,
  amount: fromMinorUnits(i.amountMinor),
  currency: i.currency,
  issued_on: day(i.issuedOn),
  due_on: day(i.dueOn),
  status: i.status.toLowerCase() as Lowercase<InvoiceStatus>,
  ...(i.disputeReason ? { dispute_reason: i.disputeReason, disputed_at: i.disputedAt?.toISOString() } : {}),
});

export const invoicesList = defineOperation({
  action: 'invoices.list',
  method: 'GET',
  path: '/invoices',
  tool: 'list_invoices',
  description: 'Lists the invoices in the workspace, by due date.',
  output: listInvoicesOutput,
  requiresUser: true,
  run: async ({ tx, userId, link }) => {
    const rows = await tx.invoice.findMany({ where: { userId: userId! }, orderBy: [{ dueOn: 'asc' }, { number: 'asc' }], take: 100, select: INVOICE_FIELDS });
    return { invoices: rows.map(invoiceJson), _links: links({ read: link('invoices.read', { templated: true }) }) };
  },
});

const invoiceTarget = async (userId: string | null, invoiceId: string) => {
  const invoice = await db().invoice.findFirst({ where: { id: invoiceId, userId: userId! }, select: { id: true } });
  return invoice && { id: invoice.id, kind: 'invoice' };
};

export const invoicesRead = defineOperation({
  action: 'invoices.read',
  method: 'GET',
  path: '/invoices/{invoice_id}',
  tool: 'read_invoice',
  description: 'Reads one invoice.',
  output: invoiceSchema,
  requiresUser: true,
  params: invoiceParams,
  target: ({ userId, params }) => invoiceTarget(userId, params.invoice_id),
  run: async ({ tx, userId, params, link }) => {
    const invoice = await tx.invoice.findFirstOrThrow({ where: { id: params.invoice_id, userId: userId! }, select: INVOICE_FIELDS });
    const open = invoice.status === 'OPEN';
    const target = { id: invoice.id, kind: 'invoice' };
    return {
      ...invoiceJson(invoice),
      _links: links({
        dispute: open ? link('invoices.dispute', { params, target }) : undefined,
        pay: open ? link('payments.initiate', { payment: { currency: invoice.currency, amountMinor: Number(invoice.amountMinor) } }) : undefined,
        collection: link('invoices.list'),
      }),
    };
  },
});

export const invoicesDispute = defineOperation({
  action: 'invoices.dispute',
  method: 'POST',
  path: '/invoices/{invoice_id}/dispute',
  tool: 'dispute_invoice',
  description: 'Disputes an open invoice with a reason. High risk: by default it needs a second factor.',
  output: invoiceSchema,
  conflict: 'The invoice is not open (already disputed or paid): `conflict`, nothing changed.',
  requiresUser: true,
  params: invoiceParams,
  input: disputeInvoiceInput,
  target: ({ userId, params }) => invoiceTarget(userId, params.invoice_id),
  run: async ({ tx, token, userId, params, input, link }) => {
    // Only an open invoice can be disputed; the condition in the UPDATE settles races.
    const changed = await tx.invoice.updateManyAndReturn({
      where: { id: params.invoice_id, userId: userId!, status: 'OPEN' },
      data: { status: 'DISPUTED', disputeReason: input.reason, disputedAt: new Date(), disputedById: token.agentId },
      select: INVOICE_FIELDS,
    });
    if (!changed[0]) throw new OperationError(409, 'conflict', 'Only an open invoice can be disputed; this one is not open.');
    return { ...invoiceJson(changed[0]), _links: links({ self: link('invoices.read', { params, target: { id: params.invoice_id, kind: 'invoice' } }) }) };
  },
});

export const paymentsInitiate = defineOperation({
  action: 'payments.initiate',
  method: 'POST',
  path: '/payments',
  tool: 'initiate_payment',
  description: 'Initiates a payment to a creditor (recorded, not executed). High risk: by default it needs the user’s approval; a policy may allow it up to an amount.',
  output: paymentSchema,
  status: 201,
  requiresUser: true,
  input: initiatePaymentInput,
  payment: (input) => ({ currency: input.currency, amountMinor: toMinorUnits(input.amount), creditorName: input.creditor_name }),
  run: async ({ tx, token, userId, input, consentedPayment }) => {
    const asked = { currency: input.currency, amountMinor: toMinorUnits(input.amount), creditorName: input.creditor_name };
    // A just-in-time token approved for one payment (RFC 9396 details) pays exactly that payment,
    // once: it is revoked in the same transaction as the payment it made. One approved without
    // details (issued before bc-authorize required them) pays nothing: no blank cheques.
    let consented: { grantId: string; grantDetail: number } | null = null;
    if (token.jit) {
      if (matchingPaymentDetail(token.authorizationDetails, asked) < 0) throw new OperationError(403, 'access_denied', 'This token was approved for a different payment.');
      // Revoked only if still live (revokeTokens' compare-and-swap): of two concurrent calls with the
      // same token, the second waits for the first's row lock, then finds it revoked and pays nothing.
      const spent = await revokeTokens(tx, { id: token.id }, 'just-in-time token used for its approved payment');
      if (spent !== 1) throw new OperationError(403, 'access_denied', 'This just-in-time token was already used for its payment.');
    } else if (consentedPayment && token.grantId) {
      // A payment the person consented to by its exact details on the consent screen (RFC 9396):
      // made once per grant. The grant row is locked so two concurrent calls cannot both make it.
      const index = matchingPaymentDetail(token.authorizationDetails, asked);
      if (index >= 0) {
        await tx.$queryRaw`SELECT id FROM grants WHERE id = ${token.grantId}::uuid FOR UPDATE`;
        const made = await tx.payment.findFirst({ where: { grantId: token.grantId, grantDetail: index }, select: { id: true } });
        if (made) throw new OperationError(403, 'access_denied', 'The payment the user consented to was already made; ask for approval to pay again.');
        consented = { grantId: token.grantId, grantDetail: index };
      }
    }
    const payment = await tx.payment.create({
      data: {
        userId: userId!,
        agentId: token.agentId,
        currency: input.currency,
        amountMinor: BigInt(toMinorUnits(input.amount)),
        creditorName: input.creditor_name,
        reference: input.reference ?? null,
        ...(consented ?? {}),
      },
      select: { id: true, createdAt: true },
    });
    return { id: payment.id, amount: input.amount, currency: input.currency, creditor_name: input.creditor_name, status: 'initiated' as const, created_at: payment.createdAt.toISOString() };
  },
});
