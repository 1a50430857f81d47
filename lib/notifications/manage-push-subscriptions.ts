// A user's Web Push subscriptions (one per browser or phone): added from Settings with what the
// browser's PushManager.subscribe() answered (W3C Push API: the endpoint, and the keys of RFC 8291
// §3.1), listed, removed; each change audited. The endpoint is a URL we will POST to, so it passes
// the SSRF guard's static check now and the full guard at every delivery. A browser that
// subscribes again gets the same endpoint: the row is updated and moves to whoever subscribed it
// last (the device now notifies that account).
import 'server-only';
import crypto from 'node:crypto';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { getConfig } from '@/lib/config/config';
import { checkTarget } from '@/lib/http/safe-fetch';

/** Subscriptions kept per user; the oldest beyond it is dropped. */
export const MAX_SUBSCRIPTIONS = 20;

const base64url = (bytes: number, what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `${what} must be base64url.`)
    .refine((v) => Buffer.from(v, 'base64url').length === bytes, `${what} must be ${bytes} bytes.`);

export const subscriptionSchema = z.object({
  endpoint: z
    .string()
    .max(2000)
    .refine((value) => {
      try {
        const url = new URL(value);
        return !url.username && !url.password && (checkTarget(url, getConfig().notifications.pushAllowlist) || url.protocol === 'https:');
      } catch {
        return false;
      }
    }, 'The endpoint must be an https URL of a push service.'),
  keys: z.object({
    /** RFC 8291 §3.1: the user agent's P-256 public key, uncompressed (65 bytes, 0x04 first). */
    p256dh: base64url(65, 'keys.p256dh').refine((v) => Buffer.from(v, 'base64url')[0] === 4, 'keys.p256dh must be an uncompressed P-256 point.'),
    /** RFC 8291 §3.2: the 16-byte authentication secret. */
    auth: base64url(16, 'keys.auth'),
  }),
});

export async function addPushSubscription(options: { userId: string; subscription: z.infer<typeof subscriptionSchema>; device: string; ip: string }) {
  const { endpoint, keys } = options.subscription;
  return db().$transaction(async (tx) => {
    const row = await tx.pushSubscription.upsert({
      where: { endpoint },
      create: { userId: options.userId, endpoint, p256dh: keys.p256dh, auth: keys.auth, label: options.device },
      update: { userId: options.userId, p256dh: keys.p256dh, auth: keys.auth, label: options.device },
      select: { id: true, label: true, createdAt: true, lastSuccessAt: true },
    });
    const all = await tx.pushSubscription.findMany({ where: { userId: options.userId }, orderBy: { createdAt: 'desc' }, select: { id: true } });
    if (all.length > MAX_SUBSCRIPTIONS) await tx.pushSubscription.deleteMany({ where: { id: { in: all.slice(MAX_SUBSCRIPTIONS).map((s) => s.id) } } });
    await appendAuditEvent(tx, {
      action: 'account.push_subscribe',
      decision: 'ALLOW',
      reason: `${options.device} will receive push notifications`,
      userId: options.userId,
      ip: options.ip,
      details: { subscription: row.id, device: options.device },
    });
    return row;
  });
}

export async function removePushSubscription(options: { userId: string; id: string; ip: string }): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const row = await tx.pushSubscription.findFirst({ where: { id: options.id, userId: options.userId }, select: { id: true, label: true } });
    if (!row) return false;
    await tx.pushSubscription.delete({ where: { id: row.id } });
    await appendAuditEvent(tx, {
      action: 'account.push_unsubscribe',
      decision: 'ALLOW',
      reason: `${row.label} will no longer receive push notifications`,
      userId: options.userId,
      ip: options.ip,
      details: { subscription: row.id, device: row.label, reason: 'user' },
    });
    return true;
  });
}

export async function listPushSubscriptions(userId: string) {
  const rows = await db().pushSubscription.findMany({
    where: { userId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, label: true, endpoint: true, createdAt: true, lastSuccessAt: true },
  });
  // The endpoint is a capability: only its origin is shown (the page matches this browser's own by a hash).
  return rows.map((r) => ({
    id: r.id,
    device: r.label,
    service: new URL(r.endpoint).host,
    endpointHash: endpointHash(r.endpoint),
    createdAt: r.createdAt.toISOString(),
    lastSuccessAt: r.lastSuccessAt?.toISOString() ?? null,
  }));
}

export type PushSubscriptionItem = Awaited<ReturnType<typeof listPushSubscriptions>>[number];

/** SHA-256 of the endpoint, hex: lets the page tell which subscription is this browser's without sending endpoints back. */
export function endpointHash(endpoint: string): string {
  return crypto.createHash('sha256').update(endpoint).digest('hex');
}
