// A user's alert rules (issue 7, capability 7): a threshold per rule, with defaults; the webhook
// alerts are sent to; whether an alert suspends the agent by itself, from which severity. Stored in
// `alert_settings` (one row per user, created on first save); validated with zod both ways.
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';

export const thresholdsSchema = z.object({
  /** Refused calls by one agent within `windowMinutes` (possible prompt-injection probing). */
  deniedCalls: z.object({ count: z.number().int().min(2).max(1000), windowMinutes: z.number().int().min(1).max(1440) }),
  /** Token requests refused for flooding, by one agent, within `windowMinutes`. */
  tokenFlood: z.object({ count: z.number().int().min(1).max(10_000), windowMinutes: z.number().int().min(1).max(1440) }),
  /** Failed second-factor or password confirmations of the user within `windowMinutes`. */
  stepUpFailures: z.object({ count: z.number().int().min(2).max(100), windowMinutes: z.number().int().min(1).max(1440) }),
  /** Approval requests (CIBA) filed by one agent within `windowMinutes`: pressure to approve. Added later: defaulted for stored settings. */
  approvalRequests: z.object({ count: z.number().int().min(2).max(100), windowMinutes: z.number().int().min(1).max(1440) }).default({ count: 5, windowMinutes: 10 }),
});
export type Thresholds = z.infer<typeof thresholdsSchema>;

export const DEFAULT_THRESHOLDS: Thresholds = {
  deniedCalls: { count: 10, windowMinutes: 5 },
  tokenFlood: { count: 1, windowMinutes: 10 },
  stepUpFailures: { count: 3, windowMinutes: 15 },
  approvalRequests: { count: 5, windowMinutes: 10 },
};

export type AlertSettings = {
  thresholds: Thresholds;
  webhookUrl: string | null;
  hasWebhookSecret: boolean;
  autoSuspend: 'INFO' | 'WARNING' | 'CRITICAL' | null;
};

export async function getAlertSettings(userId: string): Promise<AlertSettings> {
  const row = await db().alertSettings.findUnique({ where: { userId } });
  const stored = thresholdsSchema.safeParse(row?.thresholds);
  return {
    thresholds: stored.success ? stored.data : DEFAULT_THRESHOLDS,
    webhookUrl: row?.webhookUrl ?? null,
    hasWebhookSecret: Boolean(row?.webhookSecretSealed),
    autoSuspend: row?.autoSuspend ?? null,
  };
}
