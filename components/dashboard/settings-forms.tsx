'use client';

// Settings the user changes themselves: time zone and intent privacy; and, for administrators,
// whether agents may register themselves (dynamic client registration).
import { useMemo, useState } from 'react';
import { useRouter } from 'next/navigation';
import { Alert } from '@/components/ui/alert';
import { Button, Spinner } from '@/components/ui/button';
import { useHydrated } from '@/components/ui/use-hydrated';
import { TechnicalDetails } from '@/components/ui/technical-details';

const input = 'h-10 w-full rounded-lg border border-line-strong bg-surface px-3 text-sm text-fg shadow-sm outline-none focus:border-accent focus:ring-2 focus:ring-accent/25';

async function send(path: string, body: unknown) {
  const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).catch(() => null);
  const answer = (await response?.json().catch(() => null)) as { message?: string; field_errors?: Record<string, string[]> } | null;
  return { ok: Boolean(response?.ok), message: answer?.message, fields: answer?.field_errors };
}

export function PrivacySettings({ timeZone, intentStorage, intentRetentionDays }: { timeZone: string; intentStorage: 'OFF' | 'HASHED' | 'FULL'; intentRetentionDays: number }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const zones = useMemo(() => (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [timeZone]), [timeZone]);
  const [values, setValues] = useState({ timeZone, intentStorage, intentRetentionDays: String(intentRetentionDays) });
  const [state, setState] = useState<{ pending?: boolean; saved?: boolean; error?: string; fields?: Record<string, string[]> }>({});
  return (
    <form
      aria-label="Privacy and time zone"
      className="space-y-4 rounded-2xl border border-line bg-surface p-5"
      onSubmit={async (event) => {
        event.preventDefault();
        setState({ pending: true });
        const answer = await send('/api/account/settings', { ...values, intentRetentionDays: Number(values.intentRetentionDays) });
        setState(answer.ok ? { saved: true } : { error: answer.message ?? 'The settings could not be saved.', fields: answer.fields });
        if (answer.ok) router.refresh();
      }}
    >
      {state.saved ? <Alert tone="success">Saved. Agents’ next calls follow these settings.</Alert> : null}
      {state.error ? <Alert tone="danger">{state.error}</Alert> : null}
      <label className="block space-y-1.5 text-sm">
        <span className="font-medium">Time zone</span>
        <select className={input} value={values.timeZone} onChange={(e) => setValues({ ...values, timeZone: e.target.value })}>
          {(zones.includes(values.timeZone) ? zones : [values.timeZone, ...zones]).map((zone) => (
            <option key={zone}>{zone}</option>
          ))}
        </select>
        <span className="block text-xs text-muted">Dates are shown in it, and your agents’ policy time windows use it unless a policy names its own.</span>
      </label>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">The instruction behind an agent’s call</legend>
        <p className="text-xs text-muted">Agents may say what they were asked to do when they call (“count urgent tickets for Monday”). What should Leash keep of it?</p>
        {(
          [
            ['HASHED', 'Keep only a fingerprint', 'Proves later what was asked, without anyone being able to read it now. Recommended.'],
            ['FULL', 'Keep the full text for a while', 'Readable in the audit log until the retention period ends, then deleted.'],
            ['OFF', 'Keep nothing', 'Calls are still audited; the instruction is not.'],
          ] as const
        ).map(([value, label, hint]) => (
          <label key={value} className="flex gap-3 rounded-xl border border-line p-3 text-sm">
            <input type="radio" name="intentStorage" value={value} checked={values.intentStorage === value} onChange={() => setValues({ ...values, intentStorage: value })} />
            <span>
              <span className="block font-medium">{label}</span>
              <span className="block text-xs text-muted">{hint}</span>
            </span>
          </label>
        ))}
        <TechnicalDetails>
          <p>The Agent-Intent request header; the fingerprint is its SHA-256, kept in the audit record (intent_storage {values.intentStorage}).</p>
        </TechnicalDetails>
      </fieldset>
      {values.intentStorage === 'FULL' ? (
        <label className="block space-y-1.5 text-sm">
          <span className="font-medium">Keep full text for (days)</span>
          <input className={`${input} w-32`} type="number" min={1} max={365} value={values.intentRetentionDays} onChange={(e) => setValues({ ...values, intentRetentionDays: e.target.value })} />
          {state.fields?.intentRetentionDays ? <span className="block text-sm text-danger">{state.fields.intentRetentionDays[0]}</span> : null}
        </label>
      ) : null}
      <Button type="submit" disabled={!hydrated || state.pending}>
        {state.pending ? <Spinner /> : null}
        Save settings
      </Button>
    </form>
  );
}

export function RegistrationSwitch({ mode, tokenAvailable }: { mode: 'open' | 'token' | 'off'; tokenAvailable: boolean }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [state, setState] = useState<{ pending?: boolean; error?: string }>({});
  const choose = async (next: 'open' | 'token' | 'off') => {
    setState({ pending: true });
    const answer = await send('/api/admin/registration', { mode: next });
    setState(answer.ok ? {} : { error: answer.message ?? 'The change could not be saved.' });
    if (answer.ok) router.refresh();
  };
  const options = [
    ['open', 'Open: any agent may register itself'],
    ['token', 'Token: agents need the initial access token'],
    ['off', 'Off: no new self-registered agents'],
  ] as const;
  return (
    <div className="space-y-3 rounded-2xl border border-line bg-surface p-5">
      {state.error ? <Alert tone="danger">{state.error}</Alert> : null}
      <fieldset className="space-y-2" aria-label="Dynamic client registration">
        <legend className="text-sm font-medium">Agents registering themselves</legend>
        {options.map(([value, label]) => (
          <label key={value} className="flex items-center gap-2 text-sm">
            <input type="radio" name="registration" checked={mode === value} disabled={!hydrated || state.pending || (value === 'token' && !tokenAvailable)} onChange={() => choose(value)} />
            {label}
          </label>
        ))}
      </fieldset>
      <p className="text-xs text-muted">Verified agents, identified by their own website’s domain, are not affected. Applies at once, on every server.</p>
      <TechnicalDetails>
        <p>Dynamic client registration (RFC 7591) at /oauth/register; LEASH_REGISTRATION sets the default. Client ID Metadata Document clients (an https client_id) never register.</p>
      </TechnicalDetails>
    </div>
  );
}
