'use client';

// The policy editor's Simulator tab: what would this draft decide, and by which rule.
import { useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button, Spinner } from '@/components/ui/button';
import { ACTION_NAMES, ACTIONS, type ActionName } from '@/lib/scopes/actions';
import type { PolicyDocument } from '@/lib/policy/policy-document';
import { declaredActionId, type DeclaredAction } from '@/lib/policy/declared-actions';
import { SAMPLE_DATASETS } from '@/lib/workspace/sample-workspace';
import { call, Card, CurrencyInput, Field, input, type Check } from '@/components/dashboard/policy-editor-parts';

export function Simulator({ base, draft, cedar, declared }: { base: string; draft: PolicyDocument; cedar: string | undefined; declared: DeclaredAction[] }) {
  // One of Leash's own action names, or a declared action's Cedar id (`<resource>#<name>`).
  const [action, setAction] = useState<string>('reports.create');
  const chosenDeclared = declared.find((a) => declaredActionId(a.resource, a.name) === action);
  const own = chosenDeclared ? undefined : ACTIONS[action as ActionName];
  const [dataset, setDataset] = useState('');
  const [at, setAt] = useState(() => new Date().toISOString().slice(0, 16));
  const [ip, setIp] = useState('203.0.113.10');
  const [amount, setAmount] = useState('100.00');
  // The payment's currency follows the draft's payment limit until the person picks one.
  const [chosenCurrency, setCurrency] = useState<string | null>(null);
  const currency = chosenCurrency ?? draft.paymentLimit?.currency ?? 'USD';
  const [secondFactor, setSecondFactor] = useState(false);
  const [result, setResult] = useState<Check['decision'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const sensitivity = SAMPLE_DATASETS.find((d) => d.id === dataset)?.sensitivity;
  async function run() {
    setPending(true);
    const answer = await call(`${base}/check`, {
      document: draft,
      cedar,
      simulate: {
        ...(chosenDeclared ? { action: chosenDeclared.name, resource: chosenDeclared.resource } : { action }),
        dataset: dataset || undefined,
        sensitivity,
        at: new Date(at).toISOString(),
        ip,
        // A declared action carries an amount only when one is given.
        ...(own?.kind === 'payment' || (chosenDeclared && amount) ? { amount, currency } : {}),
        secondFactor,
      },
    });
    setPending(false);
    const body = answer.body as unknown as Check & { message?: string };
    if (!answer.ok || !body.decision) {
      setResult(null);
      setError(body.message ?? [...(body.issues ?? []).map((i) => `${i.path}: ${i.message}`), ...(body.problems ?? []).map((p) => p.message)].join('; ') ?? 'The draft cannot be evaluated.');
      return;
    }
    setError(null);
    setResult(body.decision);
  }
  const tone = result?.outcome === 'allow' || result?.outcome === 'notify' ? 'success' : result?.outcome === 'deny' ? 'danger' : 'warning';
  return (
    <Card title="Simulator">
      <p className="text-sm text-muted">What would this draft decide? Nothing is saved or sent to the agent.</p>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Action">
          <select
            aria-label="Action"
            className={input}
            value={action}
            onChange={(e) => {
              setAction(e.target.value);
              // An amount is optional for a declared action: start without one.
              if (declared.some((a) => declaredActionId(a.resource, a.name) === e.target.value)) setAmount('');
              else if (!amount) setAmount('100.00');
            }}
          >
            <optgroup label="Leash">
              {ACTION_NAMES.map((a) => (
                <option key={a} value={a}>
                  {ACTIONS[a].label} ({a})
                </option>
              ))}
            </optgroup>
            {[...new Set(declared.map((a) => a.resource))].map((resource) => {
              const actions = declared.filter((a) => a.resource === resource);
              return (
                <optgroup key={resource} label={actions[0]!.resourceName}>
                  {actions.map((a) => (
                    <option key={a.name} value={declaredActionId(a.resource, a.name)}>
                      {a.description || a.name} ({a.name})
                    </option>
                  ))}
                </optgroup>
              );
            })}
          </select>
        </Field>
        <Field label="Dataset">
          <select aria-label="Dataset" className={input} value={dataset} onChange={(e) => setDataset(e.target.value)}>
            <option value="">None</option>
            {SAMPLE_DATASETS.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({d.sensitivity})
              </option>
            ))}
          </select>
        </Field>
        <Field label="At (your browser’s time)">
          <input aria-label="At" type="datetime-local" className={input} value={at} onChange={(e) => setAt(e.target.value)} />
        </Field>
        <Field label="From IP">
          <input aria-label="From IP" className={input} value={ip} onChange={(e) => setIp(e.target.value)} />
        </Field>
        {own?.kind === 'payment' || chosenDeclared ? (
          <Field label={chosenDeclared ? 'Amount (optional)' : 'Amount'}>
            <div className="flex gap-2">
              <input aria-label="Amount" inputMode="decimal" className={`${input} min-w-0 flex-1`} value={amount} onChange={(e) => setAmount(e.target.value)} />
              <CurrencyInput label="Payment currency" value={currency} onChange={setCurrency} />
            </div>
          </Field>
        ) : null}
        <label className="flex items-center gap-2 self-end text-sm">
          <input type="checkbox" checked={secondFactor} onChange={(e) => setSecondFactor(e.target.checked)} />
          The user signed in with a second factor
        </label>
      </div>
      <Button onClick={run} disabled={pending}>
        {pending ? <Spinner /> : null}
        Simulate
      </Button>
      {error ? <Alert tone="danger">{error}</Alert> : null}
      {result ? (
        <div role="status" aria-label="Simulation result" className="space-y-1 rounded-xl border border-line bg-subtle p-3 text-sm">
          <p className="flex items-center gap-2">
            <Badge tone={tone}>{result.outcome.replace('_', '-')}</Badge>
            <span className="text-fg">{OUTCOME_WORDS[result.outcome] ?? result.outcome}</span>
          </p>
          <p className="text-muted">
            because rule <span className="font-mono text-xs text-fg">{result.rule}</span>: {result.reason}
          </p>
        </div>
      ) : null}
    </Card>
  );
}

const OUTCOME_WORDS: Record<string, string> = {
  allow: 'Allowed',
  notify: 'Allowed, and you are notified',
  step_up: 'Needs your second factor',
  approval: 'Needs your approval',
  deny: 'Denied',
};
