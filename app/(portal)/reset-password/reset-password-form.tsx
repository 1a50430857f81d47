'use client';

import { useEffect, useRef, useState } from 'react';
import Link from 'next/link';
import { Alert } from '@/components/ui/alert';
import { Button, Spinner } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { PASSWORD_MIN_LENGTH } from '@/lib/auth/account-schemas';

type State =
  { step: 'checking' } | { step: 'unusable'; message: string } | { step: 'choose'; token: string; email: string; pending?: boolean; error?: string; field?: string } | { step: 'done'; email: string };

async function post(path: string, body: unknown) {
  const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).catch(() => null);
  const json = ((await response?.json().catch(() => null)) ?? {}) as { email?: string; message?: string; field_errors?: Record<string, string[]> };
  return { ok: Boolean(response?.ok), json, message: json.message ?? 'Leash could not be reached. Check your connection and try again.' };
}

export function ResetPasswordForm() {
  const [state, setState] = useState<State>({ step: 'checking' });
  const [password, setPassword] = useState('');
  const started = useRef(false);

  useEffect(() => {
    // Once: the first run takes the secret out of the address (development runs effects twice).
    if (started.current) return;
    started.current = true;
    const token = decodeURIComponent(window.location.hash.slice(1));
    // The secret leaves the address bar (and so the history) as soon as the page has it.
    if (token) window.history.replaceState(null, '', window.location.pathname);
    if (!token) {
      // Reads the address once, on the client (an external system): setting state here is the point.
      // eslint-disable-next-line react-hooks/set-state-in-effect
      setState({ step: 'unusable', message: 'Open the whole reset link your administrator gave you: this page needs the part after “#”.' });
      return;
    }
    void post('/api/account/password-reset/check', { token }).then((answer) =>
      setState(answer.ok && answer.json.email ? { step: 'choose', token, email: answer.json.email } : { step: 'unusable', message: answer.message }),
    );
  }, []);

  if (state.step === 'checking') {
    return (
      <p className="mt-4 flex items-center gap-2 text-sm text-muted">
        <Spinner /> Checking the link…
      </p>
    );
  }
  if (state.step === 'unusable') {
    return (
      <div className="mt-4 space-y-4">
        <Alert tone="danger">{state.message}</Alert>
        <p className="text-center text-sm">
          <Link href="/forgot-password" className="font-medium text-accent hover:underline">
            How to get a new link
          </Link>
        </p>
      </div>
    );
  }
  if (state.step === 'done') {
    return (
      <div className="mt-4 space-y-4">
        <Alert tone="success">The password of {state.email} is changed. Every browser that was signed in to this account has been signed out.</Alert>
        <Link href="/sign-in" className="block text-center text-sm font-medium text-accent hover:underline">
          Sign in with your new password
        </Link>
      </div>
    );
  }
  return (
    <form
      className="mt-4 space-y-5"
      onSubmit={async (event) => {
        event.preventDefault();
        setState({ ...state, pending: true, error: undefined, field: undefined });
        const answer = await post('/api/account/password-reset', { token: state.token, new_password: password });
        if (answer.ok) return setState({ step: 'done', email: state.email });
        const field = answer.json.field_errors?.new_password?.[0];
        setState(field ? { ...state, pending: false, field } : { step: 'unusable', message: answer.message });
      }}
    >
      <p className="text-sm text-muted">
        For <span className="font-medium text-fg">{state.email}</span>. This link works once.
      </p>
      {/* For password managers: the account the new password belongs to. */}
      <input type="email" name="username" autoComplete="username" value={state.email} readOnly hidden />
      <TextField
        id="new-password"
        type="password"
        label="New password"
        autoComplete="new-password"
        required
        minLength={PASSWORD_MIN_LENGTH}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={state.field}
        hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}
      />
      <Button type="submit" className="w-full" disabled={state.pending}>
        {state.pending ? <Spinner /> : null}
        Set new password
      </Button>
    </form>
  );
}
