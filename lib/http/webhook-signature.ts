// Webhook bodies signed in the style of Stripe and Standard Webhooks: `Leash-Signature: t=<unix
// seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, so a receiver can check origin and freshness
// (verifyWebhookSignature is the reference). Shared by the alerts' webhook (lib/alerts) and the
// approval notifications (lib/notifications), which send to the same URL with the same secret.
import crypto from 'node:crypto';

export const SIGNATURE_HEADER = 'Leash-Signature';
const TOLERANCE_SECONDS = 300;

export function signWebhook(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does: the signature matches the body and the secret, and is recent. */
export function verifyWebhookSignature(secret: string, body: string, header: string, now = Math.floor(Date.now() / 1000)): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > TOLERANCE_SECONDS || !parts.v1) return false;
  const expected = Buffer.from(signWebhook(secret, body, timestamp).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
