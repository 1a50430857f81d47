'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { Button, Spinner } from '@/components/ui/button';
import { Alert } from '@/components/ui/alert';
import { useHydrated } from '@/components/ui/use-hydrated';

// A destructive action: the first click asks, the second one acts.
export function RevokeOtherSessionsButton({ count }: { count: number }) {
  const router = useRouter();
  const [step, setStep] = useState<'idle' | 'confirm' | 'pending'>('idle');
  const [error, setError] = useState<string | null>(null);
  const hydrated = useHydrated();

  async function revoke() {
    setStep('pending');
    setError(null);
    const response = await fetch('/api/account/sessions/revoke-others', { method: 'POST' }).catch(() => null);
    if (!response?.ok) {
      const body = (await response?.json().catch(() => null)) as { message?: string } | null;
      setError(body?.message ?? 'Could not sign out the other sessions. Please try again.');
      setStep('idle');
      return;
    }
    setStep('idle');
    router.refresh();
  }

  if (count === 0) return null;
  return (
    <div className="space-y-3">
      {error ? <Alert tone="danger">{error}</Alert> : null}
      {step === 'idle' ? (
        <Button variant="secondary" onClick={() => setStep('confirm')} disabled={!hydrated}>
          Sign out all other sessions
        </Button>
      ) : (
        <div className="flex flex-col gap-3 rounded-xl border border-danger/30 bg-danger-soft px-4 py-3 sm:flex-row sm:items-center sm:justify-between">
          <p className="text-sm text-fg">
            Sign out {count} other session{count === 1 ? '' : 's'}? Those browsers will have to sign in again.
          </p>
          <div className="flex shrink-0 gap-2">
            <Button variant="danger" onClick={revoke} disabled={step === 'pending'}>
              {step === 'pending' ? <Spinner /> : null}
              Sign them out
            </Button>
            <Button variant="ghost" onClick={() => setStep('idle')} disabled={step === 'pending'}>
              Cancel
            </Button>
          </div>
        </div>
      )}
    </div>
  );
}
