// The sample workspace the agents' API exposes (PRODUCT.md capability 3). Datasets and workflows
// are a fixed catalogue shared by every account (dataset rows are generated, deterministic);
// reports, invoices, workflow runs and payments are each user's own rows in the database, seeded
// with the account (lib/workspace/seed-workspace.ts).
import type { Sensitivity } from '@/lib/scopes/actions';

type Column = { name: string; type: 'string' | 'number' };
type Dataset = { id: string; name: string; sensitivity: Sensitivity; description: string; columns: Column[] };

export const SAMPLE_DATASETS = [
  {
    id: 'ds_sales_2026',
    name: 'Sales 2026',
    sensitivity: 'internal',
    description: 'Monthly revenue by region and product line.',
    columns: [
      { name: 'month', type: 'string' },
      { name: 'region', type: 'string' },
      { name: 'product', type: 'string' },
      { name: 'revenue', type: 'number' },
    ],
  },
  {
    id: 'ds_support_tickets',
    name: 'Support tickets',
    sensitivity: 'confidential',
    description: 'Support tickets with priority, status and owning team.',
    columns: [
      { name: 'ticket', type: 'string' },
      { name: 'opened', type: 'string' },
      { name: 'priority', type: 'string' },
      { name: 'status', type: 'string' },
      { name: 'team', type: 'string' },
    ],
  },
  {
    id: 'ds_public_prices',
    name: 'Public price list',
    sensitivity: 'public',
    description: 'The published price of every product.',
    columns: [
      { name: 'sku', type: 'string' },
      { name: 'product', type: 'string' },
      { name: 'price', type: 'number' },
    ],
  },
] as const satisfies readonly Dataset[];

export type DatasetId = (typeof SAMPLE_DATASETS)[number]['id'];
export type DatasetRow = Record<string, string | number>;

export function findDataset(id: string) {
  return SAMPLE_DATASETS.find((d) => d.id === id) ?? null;
}

const REGIONS = ['EMEA', 'Americas', 'APAC'];
const PRODUCTS = ['Starter', 'Team', 'Enterprise'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const STATUSES = ['open', 'pending', 'solved'];
const TEAMS = ['billing', 'platform', 'onboarding'];

/** A deterministic pseudo-random sequence, so a dataset reads the same on every call. */
function sequence(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const ROWS: Record<DatasetId, DatasetRow[]> = (() => {
  const random = sequence(42);
  const sales: DatasetRow[] = [];
  for (let month = 1; month <= 11; month++) {
    for (const region of REGIONS) {
      for (const product of PRODUCTS) {
        sales.push({ month: `2026-${String(month).padStart(2, '0')}`, region, product, revenue: Math.round(20_000 + random() * 180_000) });
      }
    }
  }
  const tickets: DatasetRow[] = Array.from({ length: 60 }, (_, i) => ({
    ticket: `T-${4100 + i}`,
    opened: `2026-11-${String(1 + (i % 23)).padStart(2, '0')}`,
    priority: PRIORITIES[Math.floor(random() * PRIORITIES.length)]!,
    status: STATUSES[Math.floor(random() * STATUSES.length)]!,
    team: TEAMS[i % TEAMS.length]!,
  }));
  const prices: DatasetRow[] = PRODUCTS.flatMap((product, p) =>
    ['monthly', 'yearly'].map((term, t) => ({ sku: `${product.toUpperCase()}-${term === 'monthly' ? 'M' : 'Y'}`, product, price: (p + 1) * 29 * (t ? 10 : 1) })),
  );
  return { ds_sales_2026: sales, ds_support_tickets: tickets, ds_public_prices: prices };
})();

export function datasetRows(id: DatasetId): readonly DatasetRow[] {
  return ROWS[id];
}

export const SAMPLE_WORKFLOWS = [
  { id: 'wf_monthly_close', name: 'Monthly close', description: 'Reconciles the month’s invoices and payments and locks the books.', dataset: 'ds_sales_2026' },
  { id: 'wf_ticket_digest', name: 'Ticket digest', description: 'Emails the support leads a digest of open urgent tickets.', dataset: 'ds_support_tickets' },
  { id: 'wf_price_sync', name: 'Price sync', description: 'Publishes the price list to the public website.', dataset: 'ds_public_prices' },
] as const;

export function findWorkflow(id: string) {
  return SAMPLE_WORKFLOWS.find((w) => w.id === id) ?? null;
}
