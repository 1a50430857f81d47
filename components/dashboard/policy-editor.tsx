'use client';

// The policy editor for one agent (issue 5): a structured form for everything the policy
// supports, the generated Cedar (editable by hand, validated as you type), a simulator that
// evaluates the draft exactly as the resource server would, and the version history with a diff
// and rollback. Saving creates a new version that applies to the agent's next request.
import { useEffect, useMemo, useState } from 'react';
import { useRouter } from 'next/navigation';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button, Spinner } from '@/components/ui/button';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { useHydrated } from '@/components/ui/use-hydrated';
import { ACTION_NAMES, ACTIONS, RISK_TIERS, SENSITIVITY, type ActionName, type RiskTier } from '@/lib/policy/actions';
import { lineDiff } from '@/lib/policy/line-diff';
import type { PolicyDocument } from '@/lib/policy/policy-document';
import { SUPPORTED_SCOPES } from '@/lib/oauth/scopes';
import { SAMPLE_DATASETS } from '@/lib/workspace/sample-workspace';

export type PolicyVersion = { version: number; createdAt: string; document: PolicyDocument; cedar: string; handWritten: boolean };

type Props = {
  agentId: string;
  agentName: string;
  current: PolicyVersion;
  versions: PolicyVersion[];
  userTimeZone: string;
};

type Problem = { policy: string | null; message: string };
type Check = { ok: boolean; cedar?: string; issues: { path: string; message: string }[]; problems: Problem[]; decision?: { outcome: string; rule: string; reason: string } };

const TABS = ['Rules', 'Advanced', 'Simulator', 'History'] as const;
type Tab = (typeof TABS)[number];
const TIER_LABELS: Record<RiskTier, string> = { allow: 'Allow', notify: 'Allow and notify', step_up: 'Require second factor', approval: 'Require approval', deny: 'Deny' };
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const input = 'h-9 rounded-lg border border-line-strong bg-surface px-2.5 text-sm text-fg shadow-sm outline-none focus:border-accent focus:ring-2 focus:ring-accent/25';

async function call(path: string, body: unknown): Promise<{ ok: boolean; status: number; body: Record<string, unknown> }> {
  const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).catch(() => null);
  if (!response) return { ok: false, status: 0, body: { message: 'The server could not be reached. Please try again.' } };
  return { ok: response.ok, status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}

function Field({ label, children, hint }: { label: string; children: React.ReactNode; hint?: string }) {
  return (
    <div className="space-y-1.5">
      <p className="text-sm font-medium text-fg">{label}</p>
      {children}
      {hint ? <p className="text-xs text-muted">{hint}</p> : null}
    </div>
  );
}

function Card({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <fieldset className="space-y-4 rounded-2xl border border-line bg-surface p-4 sm:p-5">
      <legend className="px-1 text-sm font-semibold text-fg">{title}</legend>
      {children}
    </fieldset>
  );
}

export function PolicyEditor({ agentId, agentName, current, versions, userTimeZone }: Props) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [tab, setTab] = useState<Tab>('Rules');
  const [draft, setDraft] = useState<PolicyDocument>(current.document);
  const [cedar, setCedar] = useState(current.cedar);
  const [handEdited, setHandEdited] = useState(current.handWritten);
  const [check, setCheck] = useState<Check | null>(null);
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ tone: 'success' | 'danger'; text: string; details?: string[] } | null>(null);
  const base = `/api/account/agents/${agentId}/policy`;
  const dirty = JSON.stringify(draft) !== JSON.stringify(current.document) || (handEdited ? cedar !== current.cedar : current.handWritten);

  // Compile and validate the draft as it changes (debounced): the Cedar shown is always the draft's.
  useEffect(() => {
    let stale = false; // a newer draft exists: its answer, not this one, is the one to show
    const timer = setTimeout(async () => {
      const answer = await call(`${base}/check`, { document: draft, cedar: handEdited ? cedar : undefined });
      if (stale || answer.status !== 200) return;
      const result = answer.body as unknown as Check;
      setCheck(result);
      if (!handEdited && result.cedar) setCedar(result.cedar);
    }, 350);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [draft, cedar, handEdited, base]);

  const update = <K extends keyof PolicyDocument>(key: K, value: PolicyDocument[K]) => setDraft((d) => ({ ...d, [key]: value }));

  async function save() {
    setSaving(true);
    const answer = await call(base, { document: draft, cedar: handEdited ? cedar : undefined, expected_version: current.version });
    setSaving(false);
    if (answer.ok) {
      setMessage({ tone: 'success', text: `Saved as version ${answer.body.version as number}. It applies to ${agentName}’s next request.` });
      router.refresh();
      return;
    }
    const fields = answer.body.field_errors as Record<string, string[]> | undefined;
    setMessage({
      tone: 'danger',
      text: (answer.body.message as string) ?? 'The policy could not be saved.',
      details: fields ? Object.entries(fields).flatMap(([path, list]) => list.map((m) => (path === 'cedar' ? m : `${path}: ${m}`))) : undefined,
    });
  }

  return (
    <div className="space-y-5">
      <div role="tablist" aria-label="Policy editor" className="flex gap-1 overflow-x-auto rounded-xl border border-line bg-surface p-1">
        {TABS.map((name) => (
          <button
            key={name}
            role="tab"
            type="button"
            aria-selected={tab === name}
            onClick={() => setTab(name)}
            className={`h-9 shrink-0 rounded-lg px-3 text-sm font-medium ${tab === name ? 'bg-accent-soft text-accent' : 'text-muted hover:text-fg'}`}
          >
            {name}
          </button>
        ))}
      </div>

      {message ? (
        <Alert tone={message.tone}>
          {message.text}
          {message.details?.length ? (
            <ul className="mt-1 list-disc pl-5">
              {message.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          ) : null}
        </Alert>
      ) : null}
      {check && check.issues.length ? (
        <Alert tone="warning">
          Fix these before saving:
          <ul className="mt-1 list-disc pl-5">
            {check.issues.map((i) => (
              <li key={`${i.path}${i.message}`}>
                {i.path}: {i.message}
              </li>
            ))}
          </ul>
        </Alert>
      ) : null}

      {tab === 'Rules' ? <RulesForm draft={draft} update={update} userTimeZone={userTimeZone} handEdited={handEdited} /> : null}
      {tab === 'Advanced' ? (
        <Card title="Cedar">
          <p className="text-sm text-muted">
            {handEdited
              ? 'You are editing the Cedar by hand: it decides instead of the rules form (the form still sets the risk tiers, rate limit and token settings). Annotate rules with @id("…") and @reason("…") to explain decisions.'
              : 'Generated from the rules form. Edit it to write the policy by hand.'}
          </p>
          <label htmlFor="cedar-text" className="sr-only">
            Cedar policy
          </label>
          <textarea
            id="cedar-text"
            value={cedar}
            spellCheck={false}
            onChange={(e) => {
              setCedar(e.target.value);
              setHandEdited(true);
            }}
            className="min-h-80 w-full rounded-lg border border-line-strong bg-subtle p-3 font-mono text-xs leading-5 text-fg outline-none focus:border-accent"
          />
          {check && check.problems.length ? (
            <ul aria-label="Cedar problems" className="space-y-1 text-sm text-danger">
              {check.problems.map((p, i) => (
                <li key={i}>{p.policy ? `${p.policy}: ${p.message}` : p.message}</li>
              ))}
            </ul>
          ) : check?.ok ? (
            <p className="text-sm text-success">Valid against Leash’s Cedar schema.</p>
          ) : null}
          {handEdited ? (
            <Button variant="secondary" className="h-9 px-3" onClick={() => setHandEdited(false)}>
              Discard hand edits (use the form)
            </Button>
          ) : null}
        </Card>
      ) : null}
      {tab === 'Simulator' ? <Simulator base={base} draft={draft} cedar={handEdited ? cedar : undefined} /> : null}
      {tab === 'History' ? <History base={base} current={current} versions={versions} onDone={() => router.refresh()} /> : null}

      <div className="sticky bottom-16 z-10 flex flex-wrap items-center justify-between gap-3 rounded-2xl border border-line bg-surface/95 px-4 py-3 shadow-sm backdrop-blur md:bottom-4">
        <p className="text-sm text-muted">
          {current.version ? `Version ${current.version} is in force.` : 'The defaults are in force.'} {dirty ? 'You have unsaved changes.' : ''}
        </p>
        <div className="flex gap-2">
          <Button
            variant="ghost"
            disabled={!dirty || saving}
            onClick={() => {
              setDraft(current.document);
              setCedar(current.cedar);
              setHandEdited(current.handWritten);
              setMessage(null);
            }}
          >
            Reset
          </Button>
          <Button onClick={save} disabled={!hydrated || !dirty || saving || Boolean(check && !check.ok)}>
            {saving ? <Spinner /> : null}
            Save policy
          </Button>
        </div>
      </div>
    </div>
  );
}

function RulesForm({
  draft,
  update,
  userTimeZone,
  handEdited,
}: {
  draft: PolicyDocument;
  update: <K extends keyof PolicyDocument>(key: K, value: PolicyDocument[K]) => void;
  userTimeZone: string;
  handEdited: boolean;
}) {
  const zones = useMemo(() => (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC']), []);
  const toggle = (list: string[], value: string) => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);
  const limit = draft.paymentLimit;
  return (
    <div className="space-y-5">
      {handEdited ? <Alert tone="warning">The Cedar is hand-written: scope ceiling, resources, payment limit, time windows and IP ranges below are not used until you discard the hand edits.</Alert> : null}
      <Card title="Scope ceiling">
        <p className="text-sm text-muted">The most this agent may ever use, whatever it was granted. Token requests beyond it get only what is allowed.</p>
        <div className="grid gap-2 sm:grid-cols-2">
          {SUPPORTED_SCOPES.map((scope) => (
            <label key={scope} className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={draft.scopeCeiling.includes(scope)} onChange={() => update('scopeCeiling', toggle(draft.scopeCeiling, scope) as PolicyDocument['scopeCeiling'])} />
              <span className="font-mono text-xs">{scope}</span>
            </label>
          ))}
        </div>
      </Card>

      <Card title="Risk per action">
        <div className="divide-y divide-line">
          {ACTION_NAMES.map((action) => (
            <div key={action} className="flex flex-col gap-1 py-2 sm:flex-row sm:items-center sm:justify-between">
              <label htmlFor={`tier-${action}`} className="text-sm">
                {ACTIONS[action].label} <span className="font-mono text-xs text-muted">{ACTIONS[action].scope}</span>
              </label>
              <select
                id={`tier-${action}`}
                className={input}
                value={draft.actions[action] ?? ACTIONS[action].defaultTier}
                onChange={(e) => update('actions', { ...draft.actions, [action]: e.target.value as RiskTier })}
              >
                {RISK_TIERS.map((tier) => (
                  <option key={tier} value={tier}>
                    {TIER_LABELS[tier]}
                  </option>
                ))}
              </select>
            </div>
          ))}
        </div>
      </Card>

      <Card title="Resources and payments">
        <Field label="Datasets" hint="None ticked: any dataset.">
          <div className="flex flex-wrap gap-3">
            {SAMPLE_DATASETS.map((d) => (
              <label key={d.id} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={draft.resources.datasets?.includes(d.id) ?? false}
                  onChange={() => {
                    const next = toggle(draft.resources.datasets ?? [], d.id);
                    update('resources', { ...draft.resources, datasets: next.length ? next : undefined });
                  }}
                />
                {d.name}
              </label>
            ))}
          </div>
        </Field>
        <Field label="Highest sensitivity">
          <select
            aria-label="Highest sensitivity"
            className={input}
            value={draft.resources.maxSensitivity ?? ''}
            onChange={(e) => update('resources', { ...draft.resources, maxSensitivity: (e.target.value || undefined) as PolicyDocument['resources']['maxSensitivity'] })}
          >
            <option value="">Any</option>
            {SENSITIVITY.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Payment limit" hint="Largest single payment; empty: no limit (the risk tier still applies).">
          <div className="flex gap-2">
            <input
              aria-label="Payment limit amount"
              className={`${input} w-36`}
              inputMode="decimal"
              placeholder="1000.00"
              value={limit ? (limit.amountMinor / 100).toFixed(2) : ''}
              onChange={(e) => {
                const value = e.target.value.trim();
                if (!value) return update('paymentLimit', undefined);
                const amount = Math.round(Number(value) * 100);
                if (Number.isFinite(amount) && amount >= 0) update('paymentLimit', { currency: limit?.currency ?? 'USD', amountMinor: amount });
              }}
            />
            <input
              aria-label="Payment limit currency"
              className={`${input} w-20 uppercase`}
              maxLength={3}
              value={limit?.currency ?? 'USD'}
              onChange={(e) => limit && update('paymentLimit', { ...limit, currency: e.target.value.toUpperCase() })}
            />
          </div>
        </Field>
      </Card>

      <Card title="When and from where">
        <Field label="Time zone" hint={`Time windows are in this zone. Default: your own (${userTimeZone}).`}>
          <select aria-label="Time zone" className={input} value={draft.timeZone ?? ''} onChange={(e) => update('timeZone', e.target.value || undefined)}>
            <option value="">Mine ({userTimeZone})</option>
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Time windows" hint="No window: any time.">
          <div className="space-y-2">
            {(draft.timeWindows ?? []).map((window, index) => (
              <div key={index} className="flex flex-wrap items-center gap-2 rounded-lg border border-line p-2">
                {WEEKDAYS.map((day) => (
                  <label key={day} className="flex items-center gap-1 text-xs">
                    <input
                      type="checkbox"
                      checked={window.days.includes(day)}
                      onChange={() => {
                        const windows = [...(draft.timeWindows ?? [])];
                        windows[index] = { ...window, days: toggle(window.days, day) as typeof window.days };
                        update('timeWindows', windows);
                      }}
                    />
                    {day}
                  </label>
                ))}
                {(['start', 'end'] as const).map((edge) => (
                  <input
                    key={edge}
                    type="time"
                    aria-label={`Window ${index + 1} ${edge}`}
                    className={input}
                    value={window[edge]}
                    onChange={(e) => {
                      const windows = [...(draft.timeWindows ?? [])];
                      windows[index] = { ...window, [edge]: e.target.value };
                      update('timeWindows', windows);
                    }}
                  />
                ))}
                <Button
                  variant="ghost"
                  className="h-8 px-2"
                  onClick={() => {
                    const windows = (draft.timeWindows ?? []).filter((_, i) => i !== index);
                    update('timeWindows', windows.length ? windows : undefined);
                  }}
                >
                  Remove
                </Button>
              </div>
            ))}
            <Button variant="secondary" className="h-9 px-3" onClick={() => update('timeWindows', [...(draft.timeWindows ?? []), { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' }])}>
              Add a time window
            </Button>
          </div>
        </Field>
        <Field label="IP ranges" hint="One CIDR range per line, e.g. 203.0.113.0/24. Empty: any address.">
          <textarea
            aria-label="IP ranges"
            className="min-h-20 w-full rounded-lg border border-line-strong bg-surface p-2 font-mono text-xs text-fg outline-none focus:border-accent"
            value={(draft.ipRanges ?? []).join('\n')}
            onChange={(e) => {
              const ranges = e.target.value.split('\n').map((l) => l.trim());
              update('ipRanges', ranges.some(Boolean) ? ranges.filter((r, i) => r || i === ranges.length - 1) : undefined);
            }}
          />
        </Field>
      </Card>

      <Card title="Delegation">
        <label className="block space-y-1.5 text-sm">
          <span className="font-medium">Agents that may act for this one</span>
          <textarea
            aria-label="Agents that may act for this one"
            className="min-h-16 w-full rounded-lg border border-line-strong bg-surface p-2 font-mono text-xs text-fg outline-none focus:border-accent"
            placeholder="One client_id per line"
            value={(draft.mayAct ?? []).join('\n')}
            onChange={(e) => {
              const ids = e.target.value.split('\n').map((l) => l.trim());
              update('mayAct', ids.some(Boolean) ? ids.filter((id, i) => id || i === ids.length - 1) : undefined);
            }}
          />
          <span className="block text-xs text-muted">
            Through token exchange (RFC 8693) they get at most this agent’s access, for you, with their own policy on top; every call shows the whole chain in the audit log. Empty: no one.
          </span>
        </label>
      </Card>

      <Card title="Limits and tokens">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Calls per minute">
            <input aria-label="Calls per minute" type="number" min={1} className={input} value={draft.rateLimit.perMinute} onChange={(e) => update('rateLimit', { ...draft.rateLimit, perMinute: Number(e.target.value) })} />
          </Field>
          <Field label="Calls per day">
            <input aria-label="Calls per day" type="number" min={1} className={input} value={draft.rateLimit.perDay} onChange={(e) => update('rateLimit', { ...draft.rateLimit, perDay: Number(e.target.value) })} />
          </Field>
          <Field label="Access token lifetime (minutes)">
            <input
              aria-label="Access token lifetime (minutes)"
              type="number"
              min={1}
              max={60}
              className={input}
              value={Math.round(draft.tokens.accessTokenSeconds / 60)}
              onChange={(e) => update('tokens', { ...draft.tokens, accessTokenSeconds: Number(e.target.value) * 60 })}
            />
          </Field>
          <Field label="Refresh tokens">
            <div className="flex items-center gap-3">
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" checked={draft.tokens.refreshAllowed} onChange={(e) => update('tokens', { ...draft.tokens, refreshAllowed: e.target.checked })} />
                Allowed, for
              </label>
              <input
                aria-label="Refresh token days"
                type="number"
                min={1}
                max={30}
                className={`${input} w-20`}
                value={draft.tokens.refreshDays}
                disabled={!draft.tokens.refreshAllowed}
                onChange={(e) => update('tokens', { ...draft.tokens, refreshDays: Number(e.target.value) })}
              />
              <span className="text-sm text-muted">days</span>
            </div>
          </Field>
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={draft.tokens.dpopRequired} onChange={(e) => update('tokens', { ...draft.tokens, dpopRequired: e.target.checked })} />
          Require DPoP-bound tokens (proof of possession: a copied token is useless without the agent’s key)
        </label>
      </Card>
    </div>
  );
}

function Simulator({ base, draft, cedar }: { base: string; draft: PolicyDocument; cedar: string | undefined }) {
  const [action, setAction] = useState<ActionName>('reports.create');
  const [dataset, setDataset] = useState('');
  const [at, setAt] = useState(() => new Date().toISOString().slice(0, 16));
  const [ip, setIp] = useState('203.0.113.10');
  const [amount, setAmount] = useState('100.00');
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
      simulate: { action, dataset: dataset || undefined, sensitivity, at: new Date(at).toISOString(), ip, amount: ACTIONS[action].kind === 'payment' ? amount : undefined, secondFactor },
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
          <select aria-label="Action" className={input} value={action} onChange={(e) => setAction(e.target.value as ActionName)}>
            {ACTION_NAMES.map((a) => (
              <option key={a} value={a}>
                {ACTIONS[a].label} ({a})
              </option>
            ))}
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
        {ACTIONS[action].kind === 'payment' ? (
          <Field label="Amount (USD)">
            <input aria-label="Amount" className={input} value={amount} onChange={(e) => setAmount(e.target.value)} />
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

function History({ base, current, versions, onDone }: { base: string; current: PolicyVersion; versions: PolicyVersion[]; onDone: () => void }) {
  const [compare, setCompare] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!versions.length) return <Card title="Version history">{<p className="text-sm text-muted">No saved versions yet: this agent runs on the defaults.</p>}</Card>;
  const other = versions.find((v) => v.version === compare);
  const describe = (v: PolicyVersion) => `${JSON.stringify(v.document, null, 2)}\n${v.handWritten ? `\n-- hand-written Cedar --\n${v.cedar}` : ''}`;
  return (
    <Card title="Version history">
      {error ? <Alert tone="danger">{error}</Alert> : null}
      <ul className="divide-y divide-line" aria-label="Versions">
        {versions.map((v) => (
          <li key={v.version} className="flex flex-col gap-2 py-2 sm:flex-row sm:items-center sm:justify-between">
            <p className="flex items-center gap-2 text-sm">
              <span className="font-medium">Version {v.version}</span>
              {v.version === current.version ? <Badge tone="success">in force</Badge> : null}
              {v.handWritten ? <Badge>hand-written</Badge> : null}
              <span className="text-xs text-muted">{new Date(v.createdAt).toLocaleString('en-GB')}</span>
            </p>
            {v.version !== current.version ? (
              <div className="flex gap-2">
                <Button variant="ghost" className="h-9 px-3" onClick={() => setCompare(compare === v.version ? null : v.version)}>
                  {compare === v.version ? 'Hide changes' : 'Compare with current'}
                </Button>
                <ConfirmButton
                  label={`Roll back to v${v.version}`}
                  variant="secondary"
                  question={`Make version ${v.version} the policy in force again? It is saved as a new version.`}
                  confirmLabel="Roll back"
                  onConfirm={async () => {
                    const answer = await call(`${base}/rollback`, { version: v.version, expected_version: current.version });
                    if (!answer.ok) setError((answer.body.message as string) ?? 'The rollback failed.');
                    else onDone();
                  }}
                />
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      {other ? (
        <pre aria-label={`Changes from version ${other.version} to version ${current.version}`} className="max-h-96 overflow-auto rounded-lg border border-line bg-subtle p-3 font-mono text-xs leading-5">
          {lineDiff(describe(other), describe(current)).map((line, i) => (
            <div key={i} className={line.kind === 'added' ? 'bg-success-soft text-success' : line.kind === 'removed' ? 'bg-danger-soft text-danger' : 'text-muted'}>
              {line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '- ' : '  '}
              {line.text}
            </div>
          ))}
        </pre>
      ) : null}
    </Card>
  );
}
