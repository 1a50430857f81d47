'use client';

// The payment limit of the Rules tab (issue 18): the amount stays exactly as typed ("250" is 25000
// minor units, not "2.01" after a reformat on every keystroke), and the currency sticks whether it
// is chosen before or after the amount.
import { useState } from 'react';
import type { PolicyDocument } from '@/lib/policy/policy-document';
import { fromMinorUnits, readAmount } from '@/lib/policy/money';
import { CurrencyInput, Field, input } from '@/components/dashboard/policy-editor-parts';

type Limit = PolicyDocument['paymentLimit'];

export function PaymentLimitField({ limit, onChange }: { limit: Limit; onChange: (limit: Limit) => void }) {
  const [text, setText] = useState(() => (limit ? fromMinorUnits(limit.amountMinor) : ''));
  const [currency, setCurrency] = useState(limit?.currency ?? 'USD');
  // The draft changed elsewhere (Reset, a rollback): show its limit. The echo of an edit made here
  // reads the same as the text, and is not reformatted.
  const [shown, setShown] = useState(limit);
  if (limit !== shown) {
    setShown(limit);
    if (readAmount(text) !== limit?.amountMinor) setText(limit ? fromMinorUnits(limit.amountMinor) : '');
    if (limit && limit.currency !== currency) setCurrency(limit.currency);
  }
  return (
    <Field label="Payment limit" hint="Largest single payment; empty: no limit (the risk tier still applies).">
      <div className="flex gap-2">
        <input
          aria-label="Payment limit amount"
          className={`${input} w-36 min-w-0`}
          inputMode="decimal"
          placeholder="1000.00"
          value={text}
          onChange={(e) => {
            const amountMinor = readAmount(e.target.value);
            if (amountMinor === null) return; // not an amount: the keystroke is refused
            setText(e.target.value);
            onChange(amountMinor === undefined ? undefined : { currency, amountMinor });
          }}
        />
        <CurrencyInput
          label="Payment limit currency"
          value={currency}
          onChange={(next) => {
            setCurrency(next);
            const amountMinor = readAmount(text);
            if (typeof amountMinor === 'number') onChange({ currency: next, amountMinor });
          }}
        />
      </div>
    </Field>
  );
}
