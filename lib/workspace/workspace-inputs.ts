// Request bodies of the workspace's write actions (zod at the boundary; wire names snake_case).
import { z } from 'zod';
import { SAMPLE_DATASETS } from '@/lib/workspace/sample-workspace';

const DATASET_IDS = SAMPLE_DATASETS.map((d) => d.id) as [string, ...string[]];

export const createReportInput = z.object({
  title: z.string().trim().min(1).max(200),
  dataset_id: z.enum(DATASET_IDS),
  body: z.string().max(20_000).default(''),
});

export const initiatePaymentInput = z.object({
  amount: z.string().regex(/^\d{1,9}(\.\d{1,2})?$/, 'a decimal amount such as "1250.00"'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'),
  creditor_name: z.string().trim().min(1).max(140),
  reference: z.string().max(140).optional(),
});

/** "1250.5" → 125050 minor units, without floating point. */
export function toMinorUnits(amount: string): number {
  const [whole, fraction = ''] = amount.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

export function datasetTarget(datasetId: string) {
  const dataset = SAMPLE_DATASETS.find((d) => d.id === datasetId);
  return { id: datasetId, kind: 'dataset', dataset: datasetId, sensitivity: dataset?.sensitivity ?? ('restricted' as const) };
}
