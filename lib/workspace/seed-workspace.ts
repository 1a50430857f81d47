// A new account's sample workspace: two reports and three invoices, so an agent connected to any
// account (the demo account included) has something to read, update and dispute.
import 'server-only';
import type { Prisma } from '@/lib/generated/prisma/client';

export async function seedWorkspace(tx: Prisma.TransactionClient, userId: string) {
  await tx.report.createMany({
    data: [
      { userId, title: 'Q3 revenue', datasetId: 'ds_sales_2026', body: 'Revenue grew 12% over Q2, led by Enterprise in EMEA.' },
      { userId, title: 'Ticket trends', datasetId: 'ds_support_tickets', body: 'Urgent tickets fell by a third after the onboarding fixes.' },
    ],
  });
  await tx.invoice.createMany({
    data: [
      { userId, number: 'INV-2026-0142', vendor: 'ACME Ltd', currency: 'USD', amountMinor: 125_000n, issuedOn: new Date('2026-11-05'), dueOn: new Date('2026-12-05') },
      { userId, number: 'INV-2026-0151', vendor: 'Globex Corporation', currency: 'USD', amountMinor: 1_290_000n, issuedOn: new Date('2026-11-12'), dueOn: new Date('2026-12-12') },
      { userId, number: 'INV-2026-0139', vendor: 'Northwind Traders', currency: 'EUR', amountMinor: 48_000n, issuedOn: new Date('2026-10-20'), dueOn: new Date('2026-11-20'), status: 'PAID' },
    ],
  });
}
