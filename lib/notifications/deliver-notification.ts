// Sends one notification to the channels planned for it (lib/notifications/plan-deliveries.ts):
// email to the account's address, Web Push to each of the user's subscriptions, the webhook. Each
// message sent (or deliberately skipped) is one notification_deliveries row and one audit row,
// written in one transaction after the attempt, so the request's page and the audit log both say
// what reached the person, where and when. A subscription the push service no longer knows
// (404/410) is deleted, audited. Failures are recorded, never thrown: a notification must not fail
// what caused it.
import 'server-only';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { log } from '@/lib/log/logger';
import type { Channel } from '@/lib/notifications/notification-settings';
import type { PlannedChannel } from '@/lib/notifications/plan-deliveries';
import { sendEmail } from '@/lib/notifications/send-email';
import { sendPush } from '@/lib/notifications/send-push';
import { sendWebhook, userWebhook } from '@/lib/notifications/send-webhook';

export type DeliveryEvent = 'approval_requested' | 'approval_expiring' | 'alert' | 'digest' | 'test';

export type Notification = {
  userId: string;
  agentId?: string | null;
  approvalRequestId?: string | null;
  event: DeliveryEvent;
  /** A daily digest: the day (in the user's time zone) it sums up; none for a preview asked for now. */
  digestFor?: string;
  email: { subject: string; text: string; html: string };
  push: { title: string; body: string; url: string; tag: string };
  webhook: Record<string, unknown>;
  /** How long the message is worth delivering (the push service's TTL). */
  ttlSeconds: number;
};

export type DeliveryRecord = { channel: Channel; target: string; outcome: 'sent' | 'failed' | 'skipped'; detail: string };

const WORDS: Record<DeliveryEvent, string> = { approval_requested: 'approval request', approval_expiring: 'expiry reminder', alert: 'alert', digest: 'daily digest', test: 'test message' };
const CHANNEL_WORDS: Record<Channel, string> = { email: 'by email', push: 'by push', webhook: 'to the webhook' };
/** The reason in one line (a database error's last line says what went wrong). */
const failure = (error: unknown) => `failed: ${(error as Error).message.trim().split('\n').filter(Boolean).pop() ?? 'unknown error'}`.slice(0, 200);

export async function deliverNotification(notification: Notification, plan: PlannedChannel[]): Promise<DeliveryRecord[]> {
  const records = await Promise.all(plan.map((planned) => deliverOn(notification, planned)));
  return records.flat();
}

async function deliverOn(notification: Notification, planned: PlannedChannel): Promise<DeliveryRecord[]> {
  const { userId } = notification;
  try {
    if (planned.channel === 'email') {
      const user = await db().user.findUnique({ where: { id: userId }, select: { email: true, status: true } });
      if (!user || user.status === 'DELETED') return [];
      if (planned.skip) return [await record(notification, { channel: 'email', target: user.email, outcome: 'skipped', detail: planned.skip })];
      const sent = await sendEmail({ to: user.email, ...notification.email }).then(
        (detail) => ({ outcome: 'sent' as const, detail }),
        (error) => ({ outcome: 'failed' as const, detail: failure(error) }),
      );
      return [await record(notification, { channel: 'email', target: user.email, ...sent })];
    }
    if (planned.channel === 'push') {
      const subscriptions = await db().pushSubscription.findMany({ where: { userId }, select: { id: true, endpoint: true, p256dh: true, auth: true, label: true } });
      return Promise.all(
        subscriptions.map(async (subscription) => {
          if (planned.skip) return record(notification, { channel: 'push', target: subscription.label, outcome: 'skipped', detail: planned.skip });
          const result = await sendPush(subscription, notification.push, { ttlSeconds: notification.ttlSeconds, topic: notification.push.tag.replace(/[^A-Za-z0-9]/g, '').slice(-32) }).catch(
            (error) => ({ ok: false as const, gone: false, detail: failure(error) }),
          );
          if (result.ok) await db().pushSubscription.update({ where: { id: subscription.id }, data: { lastSuccessAt: new Date() } });
          else if (result.gone) await forgetSubscription(userId, subscription);
          return record(notification, { channel: 'push', target: subscription.label, outcome: result.ok ? 'sent' : 'failed', detail: result.detail });
        }),
      );
    }
    const hook = await userWebhook(userId);
    if (!hook) return [];
    const target = new URL(hook.url).host;
    const result = await sendWebhook(userId, hook, notification.webhook).catch((error) => ({ ok: false, detail: failure(error) }));
    return [await record(notification, { channel: 'webhook', target, outcome: result.ok ? 'sent' : 'failed', detail: result.detail })];
  } catch (error) {
    log('notifications').error({ err: error, channel: planned.channel }, 'delivery failed');
    return [];
  }
}

/** RFC 8030 §7.3: the push service no longer knows the subscription; it is removed, audited. */
async function forgetSubscription(userId: string, subscription: { id: string; label: string }) {
  await db().$transaction(async (tx) => {
    const removed = await tx.pushSubscription.deleteMany({ where: { id: subscription.id } });
    if (!removed.count) return;
    await appendAuditEvent(tx, {
      action: 'account.push_unsubscribe',
      decision: 'ALLOW',
      reason: `the push service no longer knows ${subscription.label}: removed`,
      userId,
      ip: 'leash',
      details: { subscription: subscription.id, device: subscription.label, reason: 'gone' },
    });
  });
}

async function record(notification: Notification, delivery: DeliveryRecord): Promise<DeliveryRecord> {
  const channel = delivery.channel;
  await db().$transaction(async (tx) => {
    await tx.notificationDelivery.create({
      data: {
        userId: notification.userId,
        approvalRequestId: notification.approvalRequestId ?? null,
        event: notification.event,
        channel: channel === 'email' ? 'EMAIL' : channel === 'push' ? 'PUSH' : 'WEBHOOK',
        target: delivery.target,
        outcome: delivery.outcome,
        detail: delivery.detail,
      },
    });
    await appendAuditEvent(tx, {
      action: 'notification.send',
      decision: 'ALLOW',
      reason: `${WORDS[notification.event]}${notification.digestFor ? ` for ${notification.digestFor}` : notification.event === 'digest' ? ' (asked for now)' : ''} ${delivery.outcome === 'skipped' ? 'not sent' : delivery.outcome === 'sent' ? 'sent' : 'could not be sent'} ${CHANNEL_WORDS[channel]} (${delivery.target}): ${delivery.detail}`,
      userId: notification.userId,
      agentId: notification.agentId ?? null,
      ip: 'leash',
      details: {
        channel,
        event: notification.event,
        outcome: delivery.outcome,
        target: delivery.target,
        detail: delivery.detail,
        ...(notification.approvalRequestId ? { approval_request: notification.approvalRequestId } : {}),
        ...(notification.digestFor ? { digest_for: notification.digestFor } : {}),
      },
    });
  });
  return delivery;
}
