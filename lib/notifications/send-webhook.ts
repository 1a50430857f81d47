// A notification to the user's webhook (the one of the alert settings), signed with its secret as
// the alerts are (lib/http/webhook-signature.ts), through the SSRF guard.
import 'server-only';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { safePostJson } from '@/lib/http/safe-fetch';
import { SIGNATURE_HEADER, signWebhook } from '@/lib/http/webhook-signature';
import { openSecret } from '@/lib/keys/key-encryption';

export async function userWebhook(userId: string): Promise<{ url: string; secretSealed: string } | null> {
  const row = await db().alertSettings.findUnique({ where: { userId }, select: { webhookUrl: true, webhookSecretSealed: true } });
  return row?.webhookUrl && row.webhookSecretSealed ? { url: row.webhookUrl, secretSealed: row.webhookSecretSealed } : null;
}

/** Answers what happened in words, or throws. */
export async function sendWebhook(userId: string, hook: { url: string; secretSealed: string }, payload: Record<string, unknown>): Promise<{ ok: boolean; detail: string }> {
  const body = JSON.stringify(payload);
  const secret = openSecret(`webhook:${userId}`, hook.secretSealed);
  const status = await safePostJson(hook.url, body, { [SIGNATURE_HEADER]: signWebhook(secret, body) }, { timeoutMs: 5000, allowlist: getConfig().webhookAllowlist });
  return status >= 200 && status < 300 ? { ok: true, detail: `delivered (${status})` } : { ok: false, detail: `the webhook answered ${status}` };
}
