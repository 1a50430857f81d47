// What was sent about a request: each message's channel, where it went, when, and what happened
// (sent, failed, or not sent during quiet hours), as recorded by lib/notifications.
import type { ApprovalNotification } from '@/lib/notifications/list-approval-notifications';

const CHANNEL: Record<ApprovalNotification['channel'], string> = { email: 'Email', push: 'Push', webhook: 'Webhook' };
const EVENT: Record<string, string> = { approval_requested: 'request', approval_expiring: 'reminder' };
const OUTCOME: Record<string, string> = { sent: 'text-success', failed: 'text-danger', skipped: 'text-muted' };

export function ApprovalNotifications({ items, timeZone }: { items: ApprovalNotification[]; timeZone: string }) {
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return (
    <section aria-label="Notifications sent" className="rounded-2xl border border-line bg-surface p-4 sm:p-5">
      <h2 className="text-sm font-semibold">Notifications sent</h2>
      {items.length ? (
        <ul className="mt-2 divide-y divide-line text-sm">
          {items.map((n) => (
            <li key={n.id} className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-0.5 py-2">
              <span className="min-w-0 break-words">
                <span className="font-medium">{CHANNEL[n.channel]}</span> <span className="text-muted">{EVENT[n.event] ?? n.event}</span> · {n.target}
              </span>
              <span className="text-xs tabular-nums">
                <span className={`font-medium ${OUTCOME[n.outcome] ?? ''}`}>{n.outcome === 'skipped' ? `not sent (${n.detail})` : n.outcome}</span>{' '}
                <span className="text-muted">{time.format(new Date(n.createdAt))}</span>
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-1 text-sm text-muted">Nothing was sent about this request (see Settings → Notifications).</p>
      )}
    </section>
  );
}
