'use client';

// The audit browser (issue 5): filters kept in the URL (shareable, and the server renders the first
// page), older pages by keyset cursor, a drawer with the full record (delegation chain, policy
// rule, intent), chain verification on demand, and export of the current filter as CSV or JSONL.
import { useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { AuditIcon } from '@/components/icons';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button, buttonClasses, Spinner } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { useHydrated } from '@/components/ui/use-hydrated';
import type { AuditRecord } from '@/lib/dashboard/search-audit-events';
import { TechnicalDetails } from '@/components/ui/technical-details';
import { describeAction, describeDecision, describeReason, describeScopes } from '@/lib/words/plain-words';
import { AUDIT_ACTIONS } from '@/lib/audit/events';

export type AuditFilterValues = { agent?: string; action?: string; decision?: string; from?: string; to?: string; q?: string };
type Page = { events: AuditRecord[]; next_before: string | null };

const DECISION_TONE: Record<string, 'success' | 'danger' | 'warning'> = { ALLOW: 'success', DENY: 'danger', STEP_UP: 'warning', APPROVAL: 'warning' };
const input = 'h-9 w-full rounded-lg border border-line-strong bg-surface px-2.5 text-sm text-fg shadow-sm outline-none focus:border-accent focus:ring-2 focus:ring-accent/25';

function query(filter: AuditFilterValues, extra: Record<string, string> = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filter, ...extra })) if (value) params.set(key, value);
  return params.toString();
}

function when(iso: string, timeZone: string) {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone }).format(new Date(iso));
}

/** datetime-local (browser time) ⇄ ISO instant. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : '');
const toLocal = (iso?: string) => (iso ? new Date(new Date(iso).getTime() - new Date(iso).getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : '');

export function AuditBrowser({
  filter: initialFilter,
  initial,
  agents,
  timeZone,
}: {
  filter: AuditFilterValues;
  /** The first page for `filter`, rendered by the server. */
  initial: Page;
  agents: { id: string; name: string }[];
  timeZone: string;
}) {
  const hydrated = useHydrated();
  const [filter, setFilterState] = useState(initialFilter);
  const [open, setOpen] = useState<AuditRecord | null>(null);
  // The filters live in the address too (shareable, and the server renders their first page).
  const setFilter = (next: AuditFilterValues) => {
    setFilterState(next);
    const search = query(next);
    window.history.replaceState(null, '', search ? `/audit?${search}` : '/audit');
  };
  const isInitial = query(filter) === query(initialFilter);
  const results = useInfiniteQuery({
    queryKey: ['audit', filter],
    queryFn: async ({ pageParam }): Promise<Page> => {
      const response = await fetch(`/api/account/audit?${query(filter, pageParam ? { before: pageParam } : {})}`, { cache: 'no-store' });
      if (!response.ok) throw new Error(((await response.json().catch(() => ({}))) as { message?: string }).message ?? `HTTP ${response.status}`);
      return response.json();
    },
    initialPageParam: '',
    getNextPageParam: (last) => last.next_before ?? undefined,
    initialData: isInitial ? { pages: [initial], pageParams: [''] } : undefined,
    staleTime: 5_000,
  });
  const events = results.data?.pages.flatMap((p) => p.events) ?? [];
  const filtered = Object.values(filter).some(Boolean);

  return (
    <div className="space-y-5">
      <form
        key={query(filter)}
        aria-label="Filters"
        className="grid gap-3 rounded-2xl border border-line bg-surface p-4 sm:grid-cols-2 lg:grid-cols-3"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          const next: AuditFilterValues = {
            agent: String(form.get('agent') ?? ''),
            action: String(form.get('action') ?? '').trim(),
            decision: String(form.get('decision') ?? ''),
            from: toIso(String(form.get('from') ?? '')),
            to: toIso(String(form.get('to') ?? '')),
            q: String(form.get('q') ?? '').trim(),
          };
          setFilter(next);
        }}
      >
        <label className="space-y-1 text-sm">
          <span className="font-medium">Agent</span>
          <select name="agent" defaultValue={filter.agent ?? ''} className={input}>
            <option value="">All agents</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        {/* Every action the log records (lib/audit/events.ts), offered by the Action field; a prefix
            such as "token." matches a family. Outside the label, whose text names the field. */}
        <datalist id="audit-actions">
          {AUDIT_ACTIONS.map((action) => (
            <option key={action} value={action}>
              {describeAction(action)}
            </option>
          ))}
        </datalist>
        <label className="space-y-1 text-sm">
          <span className="font-medium">Action</span>
          <input name="action" list="audit-actions" defaultValue={filter.action ?? ''} placeholder="e.g. reports. or token.revoke" className={input} />
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">Decision</span>
          <select name="decision" defaultValue={filter.decision ?? ''} className={input}>
            <option value="">Any</option>
            <option value="ALLOW">Allowed</option>
            <option value="DENY">Denied</option>
            <option value="STEP_UP">Second factor asked</option>
            <option value="APPROVAL">Approval asked</option>
          </select>
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">From</span>
          <input name="from" type="datetime-local" defaultValue={toLocal(filter.from)} className={input} />
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">To</span>
          <input name="to" type="datetime-local" defaultValue={toLocal(filter.to)} className={input} />
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">Text</span>
          <input name="q" type="search" defaultValue={filter.q ?? ''} placeholder="reason, resource or request id" className={input} />
        </label>
        <div className="flex flex-wrap gap-2 sm:col-span-2 lg:col-span-3">
          <Button type="submit" className="h-9 px-3" disabled={!hydrated}>
            Apply filters
          </Button>
          {filtered ? (
            <Button type="button" variant="ghost" className="h-9 px-3" onClick={() => setFilter({})}>
              Clear
            </Button>
          ) : null}
          <span className="grow" />
          <a className={buttonClasses('secondary', 'h-9 px-3')} href={`/api/account/audit/export?${query(filter, { format: 'csv' })}`} download>
            Export CSV
          </a>
          <a className={buttonClasses('secondary', 'h-9 px-3')} href={`/api/account/audit/export?${query(filter, { format: 'jsonl' })}`} download>
            Export JSONL
          </a>
          {/* A self-verifying file (lib/audit/audit-proof.ts): by agent and time only, whatever the other filters. */}
          <a
            className={buttonClasses('secondary', 'h-9 px-3')}
            href={`/api/account/audit/export?${query({ agent: filter.agent, from: filter.from, to: filter.to }, { format: 'proof' })}`}
            title="Your records with a signed proof that they are unaltered in Leash's audit chain; check it anywhere with npm run audit:verify-export (docs/audit.md)"
            download
          >
            Export proof
          </a>
        </div>
      </form>

      <ChainStatus />

      {results.isPending ? (
        <p className="flex items-center gap-2 text-sm text-muted">
          <Spinner /> Loading records…
        </p>
      ) : null}
      {results.isError ? <Alert tone="danger">{(results.error as Error).message}</Alert> : null}
      {results.isPending ? null : events.length === 0 ? (
        <EmptyState icon={<AuditIcon className="h-6 w-6" />} title={filtered ? 'No records match these filters' : 'No activity recorded yet'}>
          {filtered ? (
            <p>Try a wider time range or fewer filters.</p>
          ) : (
            <>
              <p>
                Every authorization decision is written here as it happens: consents, token issuance, each API call an agent makes (allowed or denied, and why), policy changes, revocations and
                approvals.
              </p>
              <p>Records are hash-chained so that any later change is detectable, and you can export them.</p>
            </>
          )}
        </EmptyState>
      ) : (
        <ul aria-label="Audit events" className="divide-y divide-line overflow-hidden rounded-2xl border border-line bg-surface">
          {events.map((event) => (
            <li key={event.id}>
              <button type="button" onClick={() => setOpen(event)} className="flex w-full flex-col gap-1 px-4 py-3 text-left hover:bg-subtle sm:flex-row sm:items-center sm:justify-between sm:px-5">
                <span className="min-w-0">
                  <span className="flex flex-wrap items-center gap-2">
                    <Badge tone={DECISION_TONE[event.decision] ?? 'warning'}>{describeDecision(event.decision)}</Badge>
                    <span className="text-sm font-medium">{describeAction(event.action)}</span>
                    {event.agentName ? <span className="text-sm text-muted">{event.delegation ?? event.agentName}</span> : null}
                  </span>
                  <span className="mt-0.5 block truncate text-sm text-muted">{[event.resource, event.reason ? describeReason(event.reason) : null].filter(Boolean).join(' · ')}</span>
                </span>
                <span className="shrink-0 text-xs text-muted">{when(event.createdAt, timeZone)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {results.hasNextPage ? (
        <Button variant="secondary" onClick={() => results.fetchNextPage()} disabled={results.isFetchingNextPage}>
          {results.isFetchingNextPage ? <Spinner /> : null}
          Load older records
        </Button>
      ) : events.length ? (
        <p className="text-center text-sm text-muted">That is everything{filtered ? ' matching these filters' : ''}.</p>
      ) : null}

      {open ? <RecordDrawer record={open} timeZone={timeZone} onClose={() => setOpen(null)} /> : null}
    </div>
  );
}

function ChainStatus() {
  const [state, setState] = useState<{
    pending: boolean;
    verdict?: { ok: boolean; checked: number; chains?: number; checkpoints?: number; broken_at?: string; reason?: string; detail?: string };
    error?: string;
  }>({ pending: false });
  const hydrated = useHydrated();
  async function verify() {
    setState({ pending: true });
    const response = await fetch('/api/account/audit/verify', { method: 'POST' }).catch(() => null);
    if (!response?.ok) return setState({ pending: false, error: 'The chain could not be checked right now. Try again.' });
    setState({ pending: false, verdict: await response.json() });
  }
  const v = state.verdict;
  return (
    <div role="status" aria-label="Chain verification" className="flex flex-col gap-2 rounded-2xl border border-line bg-surface px-4 py-3 text-sm sm:flex-row sm:items-center sm:justify-between">
      <p className={v ? (v.ok ? 'text-success' : 'text-danger') : 'text-muted'}>
        {state.error ??
          (v
            ? v.ok
              ? `Chain verified: all ${v.checked} records are intact and in order, in ${v.chains} chain${v.chains === 1 ? '' : 's'} bound by ${v.checkpoints} signed checkpoint${v.checkpoints === 1 ? '' : 's'}.`
              : `Chain broken (${v.reason}): ${v.detail}, after ${v.checked} intact records.`
            : 'Each record holds the hash of the one before it, so any change to the log is detectable.')}
      </p>
      <Button variant="secondary" className="h-9 shrink-0 px-3" onClick={verify} disabled={!hydrated || state.pending}>
        {state.pending ? <Spinner /> : null}
        Verify now
      </Button>
    </div>
  );
}

function RecordDrawer({ record, timeZone, onClose }: { record: AuditRecord; timeZone: string; onClose: () => void }) {
  // Plain words first; every code (action, scopes, act claim, ids, hashes) under Technical details.
  const rows: [string, React.ReactNode][] = [
    ['When', when(record.createdAt, timeZone)],
    ['Decision', describeDecision(record.decision)],
    ['What', describeAction(record.action)],
    ['On', record.resource],
    ['Why', record.reason ? describeReason(record.reason) : null],
    ['Agent', record.agentName],
    ['Acting for', record.delegation ?? (record.agentId ? 'The agent itself (no one passed it their access)' : null)],
    ['Permissions used', record.scopes.length ? describeScopes(record.scopes).join(', ') : null],
    ['Instruction behind the call', record.intentText ?? (record.intent ? 'Kept only as a fingerprint (see Technical details)' : 'Not sent or not kept')],
    ['From', record.ip],
  ];
  const codes: [string, React.ReactNode][] = [
    ['action', record.action],
    ['decision', record.decision],
    ['reason', record.reason],
    ['agent', record.agentId],
    ['sub (user)', record.userId],
    ['act', record.actor ? <pre className="whitespace-pre-wrap">{JSON.stringify(record.actor, null, 2)}</pre> : null],
    ['scope', record.scopes.join(' ')],
    ['intent', record.intent],
    ['token', record.tokenId],
    ['request id', record.requestId],
    ['details', record.details ? <pre className="whitespace-pre-wrap">{JSON.stringify(record.details, null, 2)}</pre> : null],
    ['hash', record.hash],
    ['previous hash', record.prevHash],
  ];
  const shown = <T,>(list: [string, T][]) => list.filter(([, value]) => value !== null && value !== undefined && value !== '');
  return (
    <div className="fixed inset-0 z-40 flex justify-end bg-black/30" onClick={onClose}>
      <aside
        role="dialog"
        aria-modal="true"
        aria-label={`Audit record #${record.id}`}
        className="h-full w-full max-w-lg overflow-y-auto border-l border-line bg-surface p-5 shadow-xl"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <div className="mb-4 flex items-center justify-between">
          <h2 className="font-semibold">Record #{record.id}</h2>
          <Button variant="ghost" className="h-9 px-3" onClick={onClose} autoFocus>
            Close
          </Button>
        </div>
        <dl className="space-y-3 text-sm">
          {shown(rows).map(([label, value]) => (
            <div key={label}>
              <dt className="text-xs font-medium uppercase tracking-wide text-muted">{label}</dt>
              <dd className="mt-0.5 break-words text-fg">{value}</dd>
            </div>
          ))}
        </dl>
        <TechnicalDetails className="mt-5">
          <dl className="space-y-2">
            {shown(codes).map(([label, value]) => (
              <div key={label}>
                <dt className="font-sans text-muted">{label}</dt>
                <dd className="break-all text-fg">{value}</dd>
              </div>
            ))}
          </dl>
        </TechnicalDetails>
      </aside>
    </div>
  );
}
