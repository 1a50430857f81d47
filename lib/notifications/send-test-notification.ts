// The test button of each channel (Settings → Notifications): one message on that channel now,
// whatever the routing and quiet hours say, recorded and audited like any other.
import 'server-only';
import { getConfig } from '@/lib/config/config';
import { deliverNotification, type DeliveryRecord } from '@/lib/notifications/deliver-notification';
import type { Channel } from '@/lib/notifications/notification-settings';

export async function sendTestNotification(userId: string, channel: Channel): Promise<DeliveryRecord[]> {
  const url = `${getConfig().issuer}/settings#notifications`;
  return deliverNotification(
    {
      userId,
      event: 'test',
      email: {
        subject: 'Leash test message',
        text: `This is a test message from Leash. Approval requests from your agents will arrive like this.\n\nYour notification settings: ${url}`,
        html: `<!doctype html><html><body style="font-family:system-ui,sans-serif"><p>This is a test message from Leash. Approval requests from your agents will arrive like this.</p><p><a href="${url}">Your notification settings</a></p></body></html>`,
      },
      push: { title: 'Leash test message', body: 'Approval requests from your agents will arrive like this.', url, tag: 'leash-test' },
      webhook: { type: 'notification.test', message: 'This is a test message from Leash.' },
      ttlSeconds: 600,
    },
    [{ channel, skip: null }],
  );
}
