// Which channels a notification goes to, decided from the user's preferences: a channel that does
// not list the event is left out (nothing recorded: the user chose so); email and push during quiet
// hours are skipped and recorded as such; the webhook ignores quiet hours (machines do not sleep).
// Pure, so the rules are tested without sending anything.
import type { Channel, NotificationEvent, NotificationPreferences } from '@/lib/notifications/notification-settings';
import { inQuietHours } from '@/lib/notifications/quiet-hours';

export type PlannedChannel = { channel: Channel; skip: string | null };

export function planDeliveries(preferences: NotificationPreferences, event: NotificationEvent, context: { now: Date; timeZone: string }): PlannedChannel[] {
  const quiet = inQuietHours(context.now, context.timeZone, preferences.quietHours);
  return (['email', 'push', 'webhook'] as const).filter((channel) => preferences[channel].includes(event)).map((channel) => ({ channel, skip: quiet && channel !== 'webhook' ? 'quiet hours' : null }));
}

/** The routing event of an alert of this severity. */
export function alertEvent(severity: 'INFO' | 'WARNING' | 'CRITICAL'): NotificationEvent {
  return severity === 'CRITICAL' ? 'alert_critical' : severity === 'WARNING' ? 'alert_warning' : 'alert_info';
}
