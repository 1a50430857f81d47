// Web Push (RFC 8030) to one subscription: the payload encrypted for the browser's keys (RFC 8291,
// aes128gcm, RFC 8188), the request authenticated as this server with VAPID (RFC 8292), both made
// by the `web-push` package; the POST itself goes through our SSRF guard (https, public addresses,
// no redirects, bounded time), since a push endpoint is a URL a browser handed us. A 404 or 410
// means the subscription is gone (RFC 8030 §7.3, the push service no longer knows it): the caller
// deletes it.
import 'server-only';
import webpush from 'web-push';
import { getConfig } from '@/lib/config/config';
import { safePost } from '@/lib/http/safe-fetch';

export type PushTarget = { endpoint: string; p256dh: string; auth: string };
export type PushResult = { ok: true; detail: string } | { ok: false; gone: boolean; detail: string };

export async function sendPush(target: PushTarget, payload: object, options: { ttlSeconds: number; topic?: string; urgency?: 'normal' | 'high' }): Promise<PushResult> {
  const { vapid, pushAllowlist } = getConfig().notifications;
  const request = webpush.generateRequestDetails({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, JSON.stringify(payload), {
    vapidDetails: vapid,
    contentEncoding: 'aes128gcm',
    // RFC 8030 §5.2: the push service keeps the message at most this long (a request that has
    // expired is not worth showing); §5.3: a decision waits for nobody; §5.4: a newer message
    // about the same request replaces an undelivered older one.
    TTL: Math.max(0, Math.floor(options.ttlSeconds)),
    urgency: options.urgency ?? 'high',
    ...(options.topic ? { topic: options.topic } : {}),
  });
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
  const answer = await safePost(request.endpoint, request.body ?? Buffer.alloc(0), headers, { timeoutMs: 5000, allowlist: pushAllowlist, maxBytes: 512 });
  // RFC 8030 §5: 201 Created is the push service's acceptance.
  if (answer.status >= 200 && answer.status < 300) return { ok: true, detail: `accepted by the push service (${answer.status})` };
  return { ok: false, gone: answer.status === 404 || answer.status === 410, detail: `the push service answered ${answer.status}` };
}

/** The application server key browsers subscribe with (PushManager.subscribe's applicationServerKey). */
export function vapidPublicKey(): string {
  return getConfig().notifications.vapid.publicKey;
}
