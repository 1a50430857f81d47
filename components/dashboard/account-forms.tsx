'use client';

// Settings → Password and Delete account (the person's own), and, for administrators, one-time
// password reset links for someone who forgot theirs (until Leash can send mail).
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { signOut } from 'next-auth/react';
import { Alert } from '@/components/ui/alert';
import { Button, Spinner } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { useHydrated } from '@/components/ui/use-hydrated';
import { DELETE_ACCOUNT_CONFIRMATION, PASSWORD_MIN_LENGTH } from '@/lib/auth/account-schemas';

type Answer = { ok: boolean; status: number; json: Record<string, unknown>; message: string; fields: Record<string, string[]> };

async function post(path: string, body: unknown): Promise<Answer> {
  const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).catch(() => null);
  const json = ((await response?.json().catch(() => null)) ?? {}) as Record<string, unknown>;
  return {
    ok: Boolean(response?.ok),
    status: response?.status ?? 0,
    json,
    message: typeof json.message === 'string' ? json.message : 'Leash could not be reached. Check your connection and try again.',
    fields: (json.field_errors as Record<string, string[]> | undefined) ?? {},
  };
}

const panel = 'space-y-4 rounded-2xl border border-line bg-surface p-5';

export function ChangePasswordForm() {
  const router = useRouter();
  const hydrated = useHydrated();
  const [values, setValues] = useState({ current: '', next: '' });
  const [state, setState] = useState<{ pending?: boolean; done?: number; error?: string; fields?: Record<string, string[]> }>({});
  return (
    <form
      aria-label="Change password"
      className={panel}
      onSubmit={async (event) => {
        event.preventDefault();
        setState({ pending: true });
        const answer = await post('/api/account/password', { current_password: values.current, new_password: values.next });
        if (!answer.ok) return setState({ error: answer.message, fields: answer.fields });
        setValues({ current: '', next: '' });
        setState({ done: Number(answer.json.ended_sessions ?? 0) });
        router.refresh();
      }}
    >
      <p className="text-sm text-muted">
        Changing your password signs you out of every other browser and device; this one stays signed in. Your agents keep their access: if you think someone else used your account, revoke it on the
        Tokens page too.
      </p>
      {state.done !== undefined ? (
        <Alert tone="success">Password changed. {state.done === 0 ? 'No other session was signed in.' : `${state.done} other session${state.done === 1 ? ' was' : 's were'} signed out.`}</Alert>
      ) : null}
      {state.error ? <Alert tone="danger">{state.error}</Alert> : null}
      <TextField
        id="current-password"
        name="current-password"
        type="password"
        label="Current password"
        autoComplete="current-password"
        required
        value={values.current}
        onChange={(e) => setValues({ ...values, current: e.target.value })}
        error={state.fields?.current_password?.[0]}
      />
      <TextField
        id="new-password"
        name="new-password"
        type="password"
        label="New password"
        autoComplete="new-password"
        required
        minLength={PASSWORD_MIN_LENGTH}
        value={values.next}
        onChange={(e) => setValues({ ...values, next: e.target.value })}
        error={state.fields?.new_password?.[0]}
        hint={`At least ${PASSWORD_MIN_LENGTH} characters. A few unrelated words make a strong one.`}
      />
      <Button type="submit" disabled={!hydrated || state.pending}>
        {state.pending ? <Spinner /> : null}
        Change password
      </Button>
    </form>
  );
}

// What deleting an account does, in the words of lib/account/delete-account.ts: keep the two in step.
const ENDS = [
  'Every agent’s access: all their tokens and API keys are revoked (an agent’s next call is refused), every consent you gave and every remembered decision ends, and pending requests and approvals are dropped.',
  'Every signed-in session, this one included.',
];
const DELETED = [
  'Your workspace: reports, invoices, payments and workflow runs.',
  'Your agents’ policies, your alerts and alert settings.',
  'Your authenticator app, recovery codes and passkeys.',
  'Your name, your email address and your password; the full texts of instructions your agents sent.',
];
const KEPT = [
  'The audit log of what you and your agents did: times, actions, decisions, reasons and network addresses. The law requires us to keep it. It names your account by an internal number only, no longer by your name or email.',
  'Records of the revoked tokens (never the tokens themselves).',
];

function List({ title, items }: { title: string; items: string[] }) {
  return (
    <div>
      <h3 className="text-sm font-semibold text-fg">{title}</h3>
      <ul className="mt-1 list-disc space-y-1 pl-5 text-sm text-fg">
        {items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </div>
  );
}

export function DeleteAccountForm({ email }: { email: string }) {
  const hydrated = useHydrated();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState({ password: '', confirm: '' });
  const [state, setState] = useState<{ pending?: boolean; error?: string; fields?: Record<string, string[]> }>({});
  if (!open) {
    return (
      <div className={panel}>
        <p className="text-sm text-muted">Delete your account and everything in it. Leash shows you exactly what is deleted and what is kept before you confirm.</p>
        <Button variant="danger" onClick={() => setOpen(true)} disabled={!hydrated}>
          Delete account…
        </Button>
      </div>
    );
  }
  return (
    <form
      aria-label="Delete account"
      className="space-y-4 rounded-2xl border border-danger/40 bg-surface p-5"
      onSubmit={async (event) => {
        event.preventDefault();
        setState({ pending: true });
        const answer = await post('/api/account/delete', values);
        if (!answer.ok) return setState({ error: answer.message, fields: answer.fields });
        // The server ended the session already; this clears the cookie too.
        await signOut({ redirect: false }).catch(() => undefined);
        // A full page load on purpose, not router.push: no client state of the signed-out session survives.
        // eslint-disable-next-line @next/next/no-location-assign-relative-destination
        window.location.assign('/sign-in?deleted=1');
      }}
    >
      <p className="text-sm font-medium text-danger">Deleting {email} cannot be undone. Afterwards you cannot sign in; the email address may be used for a new account.</p>
      <List title="Ends at once" items={ENDS} />
      <List title="Deleted" items={DELETED} />
      <List title="Kept" items={KEPT} />
      {state.error ? <Alert tone="danger">{state.error}</Alert> : null}
      <TextField
        id="delete-password"
        type="password"
        label="Your password"
        autoComplete="current-password"
        required
        value={values.password}
        onChange={(e) => setValues({ ...values, password: e.target.value })}
        error={state.fields?.password?.[0]}
      />
      <TextField
        id="delete-confirm"
        label={`Type “${DELETE_ACCOUNT_CONFIRMATION}” to confirm`}
        autoComplete="off"
        required
        value={values.confirm}
        onChange={(e) => setValues({ ...values, confirm: e.target.value })}
        error={state.fields?.confirm?.[0]}
      />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="danger" disabled={state.pending || values.confirm !== DELETE_ACCOUNT_CONFIRMATION || !values.password}>
          {state.pending ? <Spinner /> : null}
          Delete my account
        </Button>
        <Button
          type="button"
          variant="ghost"
          disabled={state.pending}
          onClick={() => {
            setOpen(false);
            setValues({ password: '', confirm: '' });
            setState({});
          }}
        >
          Cancel
        </Button>
      </div>
    </form>
  );
}

export function PasswordResetLinks({ ttlMinutes }: { ttlMinutes: number }) {
  const hydrated = useHydrated();
  const [email, setEmail] = useState('');
  const [state, setState] = useState<{ pending?: boolean; error?: string; field?: string; issued?: { url: string; email: string; expiresAt: string }; copied?: boolean }>({});
  return (
    <form
      aria-label="Reset a password"
      className={panel}
      onSubmit={async (event) => {
        event.preventDefault();
        setState({ pending: true });
        const answer = await post('/api/admin/password-resets', { email });
        if (!answer.ok) return setState({ error: answer.message, field: answer.fields.email?.[0] });
        setState({ issued: { url: String(answer.json.url), email: String(answer.json.email), expiresAt: String(answer.json.expires_at) } });
      }}
    >
      <div>
        <h3 className="text-sm font-medium">Reset someone’s password</h3>
        <p className="mt-1 text-sm text-muted">
          For a person who forgot theirs (Leash cannot send email yet). You get a link that works once, for {ttlMinutes} minutes, and lets them choose a new password; every session of theirs ends.
          Making a new link cancels the previous one.
        </p>
      </div>
      {state.error ? <Alert tone="danger">{state.error}</Alert> : null}
      {state.issued ? (
        <div className="space-y-2 rounded-xl border border-warning/30 bg-warning-soft p-4">
          <p className="text-sm text-fg">
            Reset link for <span className="font-medium">{state.issued.email}</span>, valid until {new Intl.DateTimeFormat('en-GB', { timeStyle: 'short' }).format(new Date(state.issued.expiresAt))}.
            It is shown only now. Give it to them in person or over a channel you trust: whoever opens it can set the password.
          </p>
          <label className="block text-sm">
            <span className="sr-only">Reset link</span>
            <input
              readOnly
              aria-label="Reset link"
              value={state.issued.url}
              onFocus={(e) => e.currentTarget.select()}
              className="h-10 w-full rounded-lg border border-line-strong bg-surface px-3 font-mono text-xs text-fg"
            />
          </label>
          <Button
            type="button"
            variant="secondary"
            className="h-9 px-3"
            onClick={async () => {
              await navigator.clipboard?.writeText(state.issued!.url).catch(() => undefined);
              setState({ ...state, copied: true });
            }}
          >
            {state.copied ? 'Copied' : 'Copy link'}
          </Button>
        </div>
      ) : null}
      <TextField id="reset-email" type="email" label="Their email address" autoComplete="off" required value={email} onChange={(e) => setEmail(e.target.value)} error={state.field} />
      <Button type="submit" variant="secondary" disabled={!hydrated || state.pending || !email}>
        {state.pending ? <Spinner /> : null}
        Make a reset link
      </Button>
    </form>
  );
}
