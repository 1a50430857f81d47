// Alerts by severity (issue 17): an alert goes by email and push when the user's preferences route
// its severity there (lib/notifications/plan-deliveries.ts). The webhook keeps its own delivery
// (lib/alerts/deliver-alert.ts, the outcome on the alert row), which asks `alertWantsWebhook` first.
import 'server-only';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { deliverNotification } from '@/lib/notifications/deliver-notification';
import { getNotificationPreferences } from '@/lib/notifications/notification-settings';
import { alertEvent, planDeliveries } from '@/lib/notifications/plan-deliveries';

type Severity = 'INFO' | 'WARNING' | 'CRITICAL';

export async function alertWantsWebhook(userId: string, severity: Severity): Promise<boolean> {
  return (await getNotificationPreferences(userId)).webhook.includes(alertEvent(severity));
}

export async function notifyAlert(alert: { id: string; userId: string; agentId: string | null; severity: Severity; message: string }): Promise<void> {
  const user = await db().user.findUnique({ where: { id: alert.userId }, select: { timeZone: true, status: true } });
  if (!user || user.status === 'DELETED') return;
  const plan = planDeliveries(await getNotificationPreferences(alert.userId), alertEvent(alert.severity), { now: new Date(), timeZone: user.timeZone }).filter((p) => p.channel !== 'webhook');
  if (!plan.length) return;
  const url = `${getConfig().issuer}/alerts`;
  const severity = alert.severity.toLowerCase();
  const escape = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
  await deliverNotification(
    {
      userId: alert.userId,
      agentId: alert.agentId,
      event: 'alert',
      email: {
        subject: `Leash alert (${severity}): ${alert.message}`.slice(0, 200),
        text: `${alert.message}\n\nSee your alerts: ${url}`,
        html: `<!doctype html><html><body style="font-family:system-ui,sans-serif"><p><strong>${escape(severity)}</strong>: ${escape(alert.message)}</p><p><a href="${escape(url)}">See your alerts</a></p></body></html>`,
      },
      push: { title: `Alert (${severity})`, body: alert.message, url, tag: `alert-${alert.id}` },
      webhook: {},
      ttlSeconds: 24 * 3600,
    },
    plan,
  );
}
