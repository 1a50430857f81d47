'use client';

// Settings → Alerts: the thresholds of the counting rules, the webhook alerts are posted to (with
// its signing secret, shown once), and whether an alert suspends the agent by itself.
import { useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button, Spinner } from '@/components/ui/button';
import { useHydrated } from '@/components/ui/use-hydrated';
import type { AlertSettings, Thresholds } from '@/lib/alerts/alert-settings';

const input = 'h-10 w-full rounded-lg border border-line-strong bg-surface px-3 text-sm text-fg shadow-sm outline-none focus:border-accent focus:ring-2 focus:ring-accent/25';

const RULES: [keyof Thresholds, string, string][] = [
  ['deniedCalls', 'Refused calls by one agent', 'refused calls'],
  ['tokenFlood', 'Token requests slowed down for flooding', 'slow-downs'],
  ['stepUpFailures', 'Failed identity checks (codes, passkeys, password)', 'failures'],
  ['approvalRequests', 'Approval requests filed by one agent', 'requests'],
];

export function AlertSettingsForm({ initial }: { initial: AlertSettings }) {
  const hydrated = useHydrated();
  const [values, setValues] = useState({ thresholds: initial.thresholds, webhookUrl: initial.webhookUrl ?? '', autoSuspend: initial.autoSuspend ?? '' });
  const [hasSecret, setHasSecret] = useState(initial.hasWebhookSecret);
  const [secret, setSecret] = useState<string | null>(null);
  const [state, setState] = useState<{ pending?: boolean; saved?: boolean; error?: string; fields?: Record<string, string[]> }>({});
  const setRule = (rule: keyof Thresholds, field: 'count' | 'windowMinutes', value: string) =>
    setValues({ ...values, thresholds: { ...values.thresholds, [rule]: { ...values.thresholds[rule], [field]: Number(value) } } });

  return (
    <form
      aria-label="Alert settings"
      className="space-y-4 rounded-2xl border border-line bg-surface p-5"
      onSubmit={async (event) => {
        event.preventDefault();
        setState({ pending: true });
        const response = await fetch('/api/account/alert-settings', {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ thresholds: values.thresholds, webhookUrl: values.webhookUrl.trim() || null, autoSuspend: values.autoSuspend || null }),
        }).catch(() => null);
        const answer = (await response?.json().catch(() => null)) as { message?: string; field_errors?: Record<string, string[]> } | null;
        setState(response?.ok ? { saved: true } : { error: answer?.message ?? 'The alert settings could not be saved.', fields: answer?.field_errors });
      }}
    >
      {state.saved ? <Alert tone="success">Saved. The rules use these values from now on.</Alert> : null}
      {state.error ? <Alert tone="danger">{state.error}</Alert> : null}
      <fieldset className="space-y-3">
        <legend className="text-sm font-medium">Raise an alert after</legend>
        {RULES.map(([rule, label, unit]) => (
          <div key={rule} className="grid items-end gap-2 text-sm sm:grid-cols-[1fr_6rem_7rem]">
            <span>{label}</span>
            <label className="space-y-1">
              <span className="block text-xs text-muted">{unit}</span>
              <input aria-label={`${label}: count`} className={input} type="number" min={1} value={values.thresholds[rule].count} onChange={(e) => setRule(rule, 'count', e.target.value)} />
            </label>
            <label className="space-y-1">
              <span className="block text-xs text-muted">within minutes</span>
              <input
                aria-label={`${label}: minutes`}
                className={input}
                type="number"
                min={1}
                value={values.thresholds[rule].windowMinutes}
                onChange={(e) => setRule(rule, 'windowMinutes', e.target.value)}
              />
            </label>
          </div>
        ))}
        <p className="text-xs text-muted">Refresh-token reuse, calls outside an agent’s allowed hours and the first use of a high-risk scope always raise an alert.</p>
      </fieldset>
      <label className="block space-y-1.5 text-sm">
        <span className="font-medium">Suspend the agent automatically</span>
        <select className={input} value={values.autoSuspend} onChange={(e) => setValues({ ...values, autoSuspend: e.target.value as typeof values.autoSuspend })}>
          <option value="">Never (just alert me)</option>
          <option value="CRITICAL">On critical alerts</option>
          <option value="WARNING">On warnings and critical alerts</option>
          <option value="INFO">On every alert</option>
        </select>
        <span className="block text-xs text-muted">Exactly like the kill switch: its tokens are revoked and nothing new is issued until you resume it.</span>
      </label>
      <label className="block space-y-1.5 text-sm">
        <span className="font-medium">Webhook URL</span>
        <input
          className={input}
          type="url"
          inputMode="url"
          placeholder="https://hooks.example.com/leash"
          value={values.webhookUrl}
          onChange={(e) => setValues({ ...values, webhookUrl: e.target.value })}
        />
        {state.fields?.webhookUrl ? <span className="block text-sm text-danger">{state.fields.webhookUrl[0]}</span> : null}
        <span className="block text-xs text-muted">
          Each alert is POSTed as JSON with a <code>Leash-Signature: t=…,v1=…</code> header: HMAC-SHA256 of <code>t.body</code> with your secret.
        </span>
      </label>
      {secret ? (
        <Alert tone="warning">
          Your new signing secret (shown once): <code className="break-all font-mono">{secret}</code>
        </Alert>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={!hydrated || state.pending}>
          {state.pending ? <Spinner /> : null}
          Save alert settings
        </Button>
        <Button
          type="button"
          variant="secondary"
          disabled={!hydrated}
          onClick={async () => {
            if (hasSecret && !window.confirm('Make a new signing secret? Receivers using the old one will reject alerts until you update them.')) return;
            const response = await fetch('/api/account/alert-settings/webhook-secret', { method: 'POST' }).catch(() => null);
            const answer = (await response?.json().catch(() => null)) as { secret?: string } | null;
            if (answer?.secret) {
              setSecret(answer.secret);
              setHasSecret(true);
            } else setState({ error: 'A new secret could not be made. Please try again.' });
          }}
        >
          {hasSecret ? 'New signing secret' : 'Make a signing secret'}
        </Button>
      </div>
    </form>
  );
}
