'use client';

import { useState } from 'react';
import { Button, Spinner } from '@/components/ui/button';
import { useHydrated } from '@/components/ui/use-hydrated';

/** A destructive action: the first click asks, the second acts. */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  variant,
  onConfirm,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  variant: 'danger' | 'secondary';
  onConfirm: () => Promise<unknown>;
}) {
  const hydrated = useHydrated();
  const [step, setStep] = useState<'idle' | 'confirm' | 'pending'>('idle');
  if (step === 'idle') {
    return (
      <Button variant={variant} className="h-9 shrink-0 px-3" onClick={() => setStep('confirm')} disabled={!hydrated}>
        {label}
      </Button>
    );
  }
  return (
    <div role="group" aria-label={label} className="flex flex-col gap-2 rounded-xl border border-danger/30 bg-danger-soft px-3 py-2 sm:max-w-md sm:flex-row sm:items-center">
      <p className="text-sm text-fg">{question}</p>
      <div className="flex shrink-0 gap-2">
        <Button
          variant="danger"
          className="h-9 px-3"
          disabled={step === 'pending'}
          onClick={async () => {
            setStep('pending');
            await onConfirm();
            setStep('idle');
          }}
        >
          {step === 'pending' ? <Spinner /> : null}
          {confirmLabel}
        </Button>
        <Button variant="ghost" className="h-9 px-3" onClick={() => setStep('idle')} disabled={step === 'pending'}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
