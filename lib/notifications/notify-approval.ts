// An approval request reaches its person (issue 17): when an agent files it (the subscriber of
// `elevation.requested`, lib/events/subscribers.ts) and, if still pending, shortly before it
// expires (lib/notifications/approval-clock.ts). The message and its link: approval-message.ts.
import 'server-only';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { loadApprovalForMessage } from '@/lib/notifications/load-approval';
import { composeApprovalMessage, type ApprovalMessageKind } from '@/lib/notifications/approval-message';
import { deliverNotification, type DeliveryRecord } from '@/lib/notifications/deliver-notification';
import { getNotificationPreferences } from '@/lib/notifications/notification-settings';
import { planDeliveries } from '@/lib/notifications/plan-deliveries';

export async function notifyApproval(options: { userId: string; approvalRequestId: string; kind: ApprovalMessageKind; now?: Date }): Promise<DeliveryRecord[]> {
  const now = options.now ?? new Date();
  const approval = await loadApprovalForMessage({ userId: options.userId, id: options.approvalRequestId });
  if (!approval || approval.status !== 'PENDING' || new Date(approval.expiresAt) <= now) return [];
  const user = await db().user.findUnique({ where: { id: options.userId }, select: { timeZone: true, status: true } });
  if (!user || user.status === 'DELETED') return [];
  const preferences = await getNotificationPreferences(options.userId);
  const plan = planDeliveries(preferences, options.kind, { now, timeZone: user.timeZone });
  if (!plan.length) return [];
  const message = composeApprovalMessage(approval, { kind: options.kind, issuer: getConfig().issuer, timeZone: user.timeZone, now });
  const expiresAt = new Date(approval.expiresAt);
  return deliverNotification(
    {
      userId: options.userId,
      agentId: approval.agentId,
      approvalRequestId: approval.id,
      event: options.kind,
      email: { subject: message.subject, text: message.text, html: message.html },
      push: message.push,
      webhook: {
        type: options.kind === 'approval_requested' ? 'approval.requested' : 'approval.expiring',
        approval_request: approval.id,
        agent: { name: approval.agentName, client_id: approval.agentClientId },
        what: message.push.body,
        binding_message: approval.bindingMessage,
        expires_at: approval.expiresAt,
        url: message.push.url,
      },
      ttlSeconds: (expiresAt.getTime() - now.getTime()) / 1000,
    },
    plan,
  );
}
