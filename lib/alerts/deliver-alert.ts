// Sends an alert to the user's webhook: a JSON body signed with the user's webhook secret, in the
// style of Stripe and Standard Webhooks: `Leash-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>">`, so a receiver can check origin and freshness (verifyWebhookSignature is the
// reference). The URL is called through the SSRF guard (https, public addresses, no redirects, 5 s).
// The outcome is kept on the alert; a failure never reaches the request that raised the alert.
import 'server-only';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { safePostJson } from '@/lib/http/safe-fetch';
import { openSecret } from '@/lib/keys/key-encryption';
import { log } from '@/lib/log/logger';
import { SIGNATURE_HEADER, signWebhook } from '@/lib/http/webhook-signature';

// The signature's formula lives in lib/http/webhook-signature.ts (the approval notifications sign the same way).
export { SIGNATURE_HEADER, signWebhook, verifyWebhookSignature } from '@/lib/http/webhook-signature';

export async function deliverAlert(userId: string, url: string, payload: Record<string, unknown>): Promise<void> {
  let outcome: string;
  try {
    const settings = await db().alertSettings.findUnique({ where: { userId }, select: { webhookSecretSealed: true } });
    if (!settings?.webhookSecretSealed) throw new Error('no webhook secret');
    const secret = openSecret(`webhook:${userId}`, settings.webhookSecretSealed);
    const body = JSON.stringify(payload);
    const status = await safePostJson(url, body, { [SIGNATURE_HEADER]: signWebhook(secret, body) }, { timeoutMs: 5000, allowlist: getConfig().webhookAllowlist });
    outcome = status >= 200 && status < 300 ? `delivered (${status})` : `failed: the webhook answered ${status}`;
  } catch (error) {
    outcome = `failed: ${(error as Error).message}`.slice(0, 200);
  }
  await db()
    .alert.update({ where: { id: String(payload.id) }, data: { delivery: outcome } })
    .catch((error) => log('alerts').error({ err: error }, 'could not record the delivery'));
}
