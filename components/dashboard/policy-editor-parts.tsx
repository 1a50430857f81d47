'use client';

// Pieces the policy editor's tabs share: the data shapes, a JSON POST, and the form's layout.
import { useId } from 'react';
import type { PolicyDocument } from '@/lib/policy/policy-document';

export type PolicyVersion = { version: number; createdAt: string; document: PolicyDocument; cedar: string; handWritten: boolean };

export type Problem = { policy: string | null; message: string; line?: number };
export type Check = { ok: boolean; cedar?: string; issues: { path: string; message: string }[]; problems: Problem[]; decision?: { outcome: string; rule: string; reason: string } };
export const input = 'h-9 rounded-lg border border-line-strong bg-surface px-2.5 text-sm text-fg shadow-sm outline-none focus:border-accent focus:ring-2 focus:ring-accent/25';

export async function call(path: string, body: unknown): Promise<{ ok: boolean; status: number; body: Record<string, unknown> }> {
  const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).catch(() => null);
  if (!response) return { ok: false, status: 0, body: { message: 'The server could not be reached. Please try again.' } };
  return { ok: response.ok, status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}

export function Field({ label, children, hint }: { label: string; children: React.ReactNode; hint?: string }) {
  return (
    <div className="space-y-1.5">
      <p className="text-sm font-medium text-fg">{label}</p>
      {children}
      {hint ? <p className="text-xs text-muted">{hint}</p> : null}
    </div>
  );
}

/** A labelled whole-number field (the label is its accessible name too). */
export function NumberField({ label, value, min, max, onChange }: { label: string; value: number; min: number; max?: number; onChange: (value: number) => void }) {
  return (
    <Field label={label}>
      <input aria-label={label} type="number" min={min} max={max} className={input} value={value} onChange={(e) => onChange(Number(e.target.value))} />
    </Field>
  );
}

export function Card({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    // min-w-0: a fieldset is at least as wide as its content by default, so one long line (a diff
    // of hand-written Cedar) widened the whole page instead of scrolling in its own box (issue 18).
    <fieldset className="min-w-0 space-y-4 rounded-2xl border border-line bg-surface p-4 sm:p-5">
      <legend className="px-1 text-sm font-semibold text-fg">{title}</legend>
      {children}
    </fieldset>
  );
}

// Currencies offered as suggestions; any three-letter ISO 4217 code may be typed.
const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'CAD', 'AUD', 'SEK', 'NOK', 'DKK', 'PLN'];

export function CurrencyInput({ label, value, onChange }: { label: string; value: string; onChange: (currency: string) => void }) {
  const listId = useId();
  return (
    <>
      <input
        aria-label={label}
        list={listId}
        className={`${input} w-24 uppercase`}
        maxLength={3}
        autoCapitalize="characters"
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value.toUpperCase().replace(/[^A-Z]/g, ''))}
      />
      <datalist id={listId}>
        {CURRENCIES.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
    </>
  );
}
