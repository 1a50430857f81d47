'use client';

// Settings → Notifications: which events reach which channel (email to the account's address, push
// to each subscribed browser or phone, the webhook of the alert settings), quiet hours in the
// user's time zone, the reminder before a request expires, the daily digest by email (and a button
// that sends today's now), a test button per channel, and this browser's push subscription (added with the Push API and the server's VAPID key, removed here).
import { useEffect, useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button, Spinner } from '@/components/ui/button';
import { useHydrated } from '@/components/ui/use-hydrated';
import type { Channel, NotificationEvent, NotificationPreferences } from '@/lib/notifications/notification-settings';
import type { PushSubscriptionItem } from '@/lib/notifications/manage-push-subscriptions';

const input = 'h-10 w-full rounded-lg border border-line-strong bg-surface px-3 text-sm text-fg shadow-sm outline-none focus:border-accent focus:ring-2 focus:ring-accent/25';

const EVENTS: [NotificationEvent, string][] = [
  ['approval_requested', 'An agent asks for approval'],
  ['approval_expiring', 'A request is about to expire'],
  ['alert_critical', 'Critical alerts'],
  ['alert_warning', 'Warnings'],
  ['alert_info', 'Information alerts'],
];
const CHANNEL_NAMES: Record<Channel, string> = { email: 'Email', push: 'Push', webhook: 'Webhook' };

type Settings = { preferences: NotificationPreferences; subscriptions: PushSubscriptionItem[]; vapidPublicKey: string };
type Status = { tone: 'success' | 'danger' | 'info'; text: string } | null;

async function call(path: string, init: RequestInit = {}): Promise<{ ok: boolean; body: Record<string, unknown> | null }> {
  const response = await fetch(path, { ...init, headers: init.body ? { 'Content-Type': 'application/json' } : undefined }).catch(() => null);
  return { ok: !!response?.ok, body: ((await response?.json().catch(() => null)) as Record<string, unknown> | null) ?? null };
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function NotificationSettingsForm({ initial, email, timeZone, hasWebhook }: { initial: Settings; email: string; timeZone: string; hasWebhook: boolean }) {
  const hydrated = useHydrated();
  const [prefs, setPrefs] = useState(initial.preferences);
  const [subscriptions, setSubscriptions] = useState(initial.subscriptions);
  const [thisBrowser, setThisBrowser] = useState<string | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>(null);
  const [fields, setFields] = useState<Record<string, string[]>>({});

  // Known once hydrated (the server cannot tell): null until then.
  const pushSupported = hydrated ? 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window : null;

  useEffect(() => {
    if (!('serviceWorker' in navigator)) return;
    void navigator.serviceWorker.getRegistration('/').then(async (registration) => {
      const current = await registration?.pushManager.getSubscription();
      if (current) setThisBrowser(await sha256Hex(current.endpoint));
    });
  }, []);

  const toggle = (channel: Channel, event: NotificationEvent, on: boolean) => setPrefs({ ...prefs, [channel]: on ? [...prefs[channel], event] : prefs[channel].filter((e) => e !== event) });

  const subscribeThisBrowser = async () => {
    setPending('subscribe');
    setStatus(null);
    try {
      if ((await Notification.requestPermission()) !== 'granted') throw new Error('Notifications are blocked for this site: allow them in the browser’s site settings.');
      const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      await navigator.serviceWorker.ready;
      const key = Uint8Array.from(atob(initial.vapidPublicKey.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
      const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      const saved = await call('/api/account/push-subscriptions', { method: 'POST', body: JSON.stringify(subscription.toJSON()) });
      if (!saved.ok) throw new Error(String(saved.body?.message ?? 'This browser could not be added.'));
      setSubscriptions(saved.body!.subscriptions as PushSubscriptionItem[]);
      setThisBrowser(await sha256Hex(subscription.endpoint));
      setStatus({ tone: 'success', text: 'This browser will receive push notifications.' });
    } catch (error) {
      setStatus({ tone: 'danger', text: (error as Error).message || 'This browser could not be subscribed.' });
    }
    setPending(null);
  };

  const remove = async (item: PushSubscriptionItem) => {
    setPending(`remove-${item.id}`);
    const answer = await call(`/api/account/push-subscriptions/${item.id}`, { method: 'DELETE' });
    if (answer.ok) {
      setSubscriptions(answer.body!.subscriptions as PushSubscriptionItem[]);
      if (item.endpointHash === thisBrowser) {
        const registration = await navigator.serviceWorker?.getRegistration('/');
        await (await registration?.pushManager.getSubscription())?.unsubscribe();
        setThisBrowser(null);
      }
      setStatus({ tone: 'success', text: `${item.device} will no longer receive push notifications.` });
    } else setStatus({ tone: 'danger', text: String(answer.body?.message ?? 'The device could not be removed.') });
    setPending(null);
  };

  const test = async (channel: Channel) => {
    setPending(`test-${channel}`);
    setStatus(null);
    const answer = await call('/api/account/notifications/test', { method: 'POST', body: JSON.stringify({ channel }) });
    const deliveries = (answer.body?.deliveries ?? []) as { target: string; outcome: string; detail: string }[];
    setStatus(
      answer.ok
        ? { tone: deliveries.every((d) => d.outcome === 'sent') ? 'success' : 'danger', text: deliveries.map((d) => `${d.target}: ${d.outcome}, ${d.detail}`).join(' · ') }
        : { tone: 'danger', text: String(answer.body?.message ?? 'The test message could not be sent.') },
    );
    setPending(null);
  };

  const sendDigest = async () => {
    setPending('digest');
    setStatus(null);
    const answer = await call('/api/account/notifications/digest', { method: 'POST' });
    const deliveries = (answer.body?.deliveries ?? []) as { target: string; outcome: string; detail: string }[];
    setStatus(
      answer.ok
        ? { tone: deliveries.every((d) => d.outcome === 'sent') ? 'success' : 'danger', text: `Digest: ${deliveries.map((d) => `${d.target}: ${d.outcome}, ${d.detail}`).join(' · ')}` }
        : { tone: answer.body?.error === 'conflict' ? 'info' : 'danger', text: String(answer.body?.message ?? 'The digest could not be sent.') },
    );
    setPending(null);
  };

  const channels: { channel: Channel; where: React.ReactNode }[] = [
    { channel: 'email', where: <span className="break-all">{email}</span> },
    { channel: 'push', where: subscriptions.length ? `${subscriptions.length} device${subscriptions.length === 1 ? '' : 's'}` : 'no device yet' },
    { channel: 'webhook', where: hasWebhook ? 'the webhook of your alert settings' : 'no webhook set (see Alerts)' },
  ];

  return (
    <form
      aria-label="Notification settings"
      className="space-y-5 rounded-2xl border border-line bg-surface p-4 sm:p-5"
      onSubmit={async (event) => {
        event.preventDefault();
        setPending('save');
        setStatus(null);
        setFields({});
        const answer = await call('/api/account/notifications', { method: 'PUT', body: JSON.stringify(prefs) });
        if (answer.ok) setStatus({ tone: 'success', text: 'Saved. Notifications follow these settings from now on.' });
        else {
          setStatus({ tone: 'danger', text: String(answer.body?.message ?? 'The notification settings could not be saved.') });
          setFields((answer.body?.field_errors as Record<string, string[]>) ?? {});
        }
        setPending(null);
      }}
    >
      {status ? <Alert tone={status.tone}>{status.text}</Alert> : null}
      <ul aria-label="Channels" className="divide-y divide-line rounded-xl border border-line">
        {channels.map(({ channel, where }) => (
          <li key={channel} className="flex items-center justify-between gap-3 px-3 py-2.5 text-sm">
            <span className="min-w-0">
              <span className="font-medium">{CHANNEL_NAMES[channel]}</span> <span className="text-muted">· {where}</span>
            </span>
            <Button type="button" variant="secondary" className="h-8 shrink-0 px-3 text-xs" disabled={!hydrated || pending !== null} onClick={() => test(channel)}>
              {pending === `test-${channel}` ? <Spinner /> : null}
              Send a test
              <span className="sr-only"> {CHANNEL_NAMES[channel].toLowerCase()}</span>
            </Button>
          </li>
        ))}
      </ul>
      <fieldset>
        <legend className="mb-2 text-sm font-medium">What goes where</legend>
        <div className="overflow-hidden rounded-xl border border-line">
          <table className="w-full text-sm">
            <thead className="bg-subtle text-xs text-muted">
              <tr>
                <th className="px-3 py-2 text-left font-medium">Event</th>
                {(['email', 'push', 'webhook'] as const).map((c) => (
                  <th key={c} className="w-14 px-1 py-2 text-center font-medium sm:w-20">
                    {CHANNEL_NAMES[c]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-line">
              {EVENTS.map(([event, label]) => (
                <tr key={event}>
                  <td className="px-3 py-2">{label}</td>
                  {(['email', 'push', 'webhook'] as const).map((channel) => (
                    <td key={channel} className="px-1 py-2 text-center">
                      <input
                        type="checkbox"
                        className="h-5 w-5 accent-[var(--color-accent)]"
                        aria-label={`${label} by ${CHANNEL_NAMES[channel].toLowerCase()}`}
                        checked={prefs[channel].includes(event)}
                        onChange={(e) => toggle(channel, event, e.target.checked)}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </fieldset>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Quiet hours</legend>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            className="h-5 w-5"
            checked={prefs.quietHours !== null}
            onChange={(e) => setPrefs({ ...prefs, quietHours: e.target.checked ? { start: '22:00', end: '07:00' } : null })}
          />
          No email or push between
        </label>
        {prefs.quietHours ? (
          <div className="grid grid-cols-2 gap-2 sm:max-w-xs">
            <label className="space-y-1 text-sm">
              <span className="block text-xs text-muted">From</span>
              <input
                aria-label="Quiet from"
                type="time"
                className={input}
                value={prefs.quietHours.start}
                onChange={(e) => setPrefs({ ...prefs, quietHours: { ...prefs.quietHours!, start: e.target.value } })}
              />
            </label>
            <label className="space-y-1 text-sm">
              <span className="block text-xs text-muted">To</span>
              <input
                aria-label="Quiet until"
                type="time"
                className={input}
                value={prefs.quietHours.end}
                onChange={(e) => setPrefs({ ...prefs, quietHours: { ...prefs.quietHours!, end: e.target.value } })}
              />
            </label>
          </div>
        ) : null}
        {fields.quietHours ? <p className="text-sm text-danger">{fields.quietHours[0]}</p> : null}
        <p className="text-xs text-muted">In your time zone ({timeZone}). What is not sent is still listed on the request. The webhook is not affected.</p>
      </fieldset>
      <label className="block space-y-1.5 text-sm sm:max-w-xs">
        <span className="font-medium">Remind me before a request expires</span>
        <select className={input} value={prefs.reminderMinutes} onChange={(e) => setPrefs({ ...prefs, reminderMinutes: Number(e.target.value) })}>
          <option value={0}>No reminder</option>
          {[1, 2, 3, 4].map((m) => (
            <option key={m} value={m}>
              {m} minute{m === 1 ? '' : 's'} before
            </option>
          ))}
        </select>
        <span className="block text-xs text-muted">A request waits 5 minutes; then the agent is told it expired.</span>
      </label>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Daily digest</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" className="h-5 w-5" checked={prefs.digest.enabled} onChange={(e) => setPrefs({ ...prefs, digest: { ...prefs.digest, enabled: e.target.checked } })} />
          Daily digest by email
        </label>
        {prefs.digest.enabled ? (
          <label className="block space-y-1 text-sm sm:max-w-xs">
            <span className="block text-xs text-muted">Send it at</span>
            <select aria-label="Send the digest at" className={input} value={prefs.digest.hour} onChange={(e) => setPrefs({ ...prefs, digest: { ...prefs.digest, hour: Number(e.target.value) } })}>
              {Array.from({ length: 24 }, (_, h) => (
                <option key={h} value={h}>
                  {String(h).padStart(2, '0')}:00
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {fields['digest.hour'] ? <p className="text-sm text-danger">{fields['digest.hour'][0]}</p> : null}
        <p className="text-xs text-muted">
          What each agent did in the last 24 hours (calls, refusals, approvals, alerts) with links to the audit log, to <span className="break-all">{email}</span>. In your time zone ({timeZone});
          during quiet hours it waits for their end. No mail on days when nothing happened.
        </p>
        <Button type="button" variant="secondary" className="h-8 px-3 text-xs" disabled={!hydrated || pending !== null} onClick={sendDigest}>
          {pending === 'digest' ? <Spinner /> : null}
          Send today’s digest now
        </Button>
      </fieldset>
      <section aria-label="Devices for push notifications" className="space-y-2">
        <h3 className="text-sm font-medium">Browsers and phones</h3>
        {subscriptions.length ? (
          <ul className="divide-y divide-line rounded-xl border border-line">
            {subscriptions.map((s) => (
              <li key={s.id} className="flex items-center justify-between gap-3 px-3 py-2.5 text-sm">
                <span className="min-w-0">
                  <span className="font-medium">{s.device}</span> {s.endpointHash === thisBrowser ? <Badge tone="success">This browser</Badge> : null}
                  <span className="block truncate text-xs text-muted">via {s.service}</span>
                </span>
                <Button type="button" variant="secondary" className="h-8 shrink-0 px-3 text-xs" disabled={!hydrated || pending !== null} onClick={() => remove(s)}>
                  Remove<span className="sr-only"> {s.device}</span>
                </Button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-muted">No browser or phone receives push notifications yet.</p>
        )}
        {pushSupported === false ? (
          <p className="text-xs text-muted">This browser cannot receive push notifications. On an iPhone, add Leash to the home screen first (Share → Add to Home Screen), then open it from there.</p>
        ) : thisBrowser === null ? (
          <Button type="button" variant="secondary" disabled={!hydrated || pending !== null || !pushSupported} onClick={subscribeThisBrowser}>
            {pending === 'subscribe' ? <Spinner /> : null}
            Notify this browser
          </Button>
        ) : null}
      </section>
      <Button type="submit" disabled={!hydrated || pending !== null}>
        {pending === 'save' ? <Spinner /> : null}
        Save notification settings
      </Button>
    </form>
  );
}
