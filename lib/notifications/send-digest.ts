// One person's digest of the 24 hours before `now`, by email to the account's address: what each
// agent did (lib/notifications/digest-activity.ts, in words by digest-message.ts). Nothing is sent
// for a day when nothing happened (answers null): a daily "nothing to report" would teach people
// to ignore the mail. Sent or failed, the message is a notification_deliveries row (event
// `digest`) and a `notification.send` audit row, like every notification.
import 'server-only';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { deliverNotification, type DeliveryRecord } from '@/lib/notifications/deliver-notification';
import { loadDigestActivity } from '@/lib/notifications/digest-activity';
import { composeDigest } from '@/lib/notifications/digest-message';

const DAY_MS = 86_400_000;

/** `digestFor`: the day the digest clock claimed (absent when the person asked for one now). */
export async function sendDigest(options: { userId: string; now: Date; digestFor?: string }): Promise<DeliveryRecord[] | null> {
  const user = await db().user.findUnique({ where: { id: options.userId }, select: { timeZone: true, status: true } });
  if (!user || user.status === 'DELETED') return null;
  // Whole seconds: the audit link's `to` is the same instant as the window's end.
  const to = new Date(Math.floor(options.now.getTime() / 1000) * 1000);
  const from = new Date(to.getTime() - DAY_MS);
  const activity = await loadDigestActivity({ userId: options.userId, from, to });
  if (!activity.length) return null;
  const issuer = getConfig().issuer;
  const message = composeDigest(activity, { issuer, timeZone: user.timeZone, from, to });
  return deliverNotification(
    {
      userId: options.userId,
      event: 'digest',
      ...(options.digestFor ? { digestFor: options.digestFor } : {}),
      email: message,
      // Email only: these two are never used for a digest.
      push: { title: message.subject, body: '', url: `${issuer}/audit`, tag: 'digest' },
      webhook: {},
      ttlSeconds: DAY_MS / 1000,
    },
    [{ channel: 'email', skip: null }],
  );
}
