'use client';

import { useState } from 'react';
import { startAuthentication } from '@simplewebauthn/browser';
import { Alert } from '@/components/ui/alert';
import { Button, Spinner } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { useHydrated } from '@/components/ui/use-hydrated';

/** `code`: a second factor (step-up); `password`: the password again (prompt=login, max_age). */
export function StepUpForm({ next, mode }: { next: string; mode: 'code' | 'password' }) {
  const hydrated = useHydrated();
  const [code, setCode] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="mt-6 space-y-4"
      onSubmit={async (event) => {
        event.preventDefault();
        setPending(true);
        const [path, payload] = mode === 'code' ? ['/api/account/step-up', { code }] : ['/api/account/reauthenticate', { password: code }];
        const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) }).catch(() => null);
        if (response?.ok) return window.location.assign(next);
        const body = (await response?.json().catch(() => null)) as { message?: string } | null;
        setError(body?.message ?? 'The server could not be reached. Please try again.');
        setPending(false);
      }}
    >
      {error ? <Alert tone="danger">{error}</Alert> : null}
      {mode === 'code' ? (
        <TextField id="step-up-code" label="Code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required />
      ) : (
        <TextField id="step-up-password" label="Password" type="password" autoComplete="current-password" value={code} onChange={(e) => setCode(e.target.value)} required />
      )}
      <Button type="submit" className="w-full" disabled={!hydrated || pending}>
        {pending ? <Spinner /> : null}
        Confirm
      </Button>
    </form>
  );
}

/** Step-up with a passkey: phishing-resistant (acr phr). */
export function PasskeyStepUp({ next }: { next: string }) {
  const hydrated = useHydrated();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="mt-6 space-y-3">
      {error ? <Alert tone="danger">{error}</Alert> : null}
      <Button
        className="w-full"
        disabled={!hydrated || pending}
        onClick={async () => {
          setPending(true);
          setError(null);
          try {
            const options = await fetch('/api/account/passkeys/step-up-options', { method: 'POST' });
            if (!options.ok) throw new Error(((await options.json().catch(() => ({}))) as { message?: string }).message ?? 'No passkey available.');
            const response = await startAuthentication({ optionsJSON: await options.json() });
            const verified = await fetch('/api/account/passkeys/step-up', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ response }) });
            if (!verified.ok) throw new Error(((await verified.json().catch(() => ({}))) as { message?: string }).message ?? 'The passkey could not be verified.');
            window.location.assign(next);
          } catch (e) {
            setError(e instanceof Error && e.name === 'NotAllowedError' ? 'The passkey prompt was cancelled.' : (e as Error).message);
            setPending(false);
          }
        }}
      >
        {pending ? <Spinner /> : null}
        Use a passkey
      </Button>
    </div>
  );
}
