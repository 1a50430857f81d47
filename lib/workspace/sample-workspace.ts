// The sample workspace the agents' API exposes (PRODUCT.md capability 3): a fixed, read-only
// catalogue for now, the same for every user. TODO(workspace): per-user data in the database with
// reports, workflows, invoices and payments, when the API grows its write operations.
export const SAMPLE_DATASETS = [
  { id: 'ds_sales_2026', name: 'Sales 2026', rows: 48_210, sensitivity: 'internal' },
  { id: 'ds_support_tickets', name: 'Support tickets', rows: 12_904, sensitivity: 'confidential' },
  { id: 'ds_public_prices', name: 'Public price list', rows: 312, sensitivity: 'public' },
] as const;

export const SAMPLE_REPORTS = [
  { id: 'rp_q3_revenue', title: 'Q3 revenue', dataset: 'ds_sales_2026', updated_at: '2026-10-02T09:00:00Z' },
  { id: 'rp_ticket_trends', title: 'Ticket trends', dataset: 'ds_support_tickets', updated_at: '2026-11-01T16:30:00Z' },
] as const;
