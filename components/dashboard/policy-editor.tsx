'use client';

// The policy editor for one agent (issue 5): a structured form for everything the policy
// supports, the generated Cedar (editable by hand, validated as you type), a simulator that
// evaluates the draft exactly as the resource server would, and the version history with a diff
// and rollback. Saving creates a new version that applies to the agent's next request.
import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { Alert } from '@/components/ui/alert';
import { Button, Spinner } from '@/components/ui/button';
import { useHydrated } from '@/components/ui/use-hydrated';
import type { PolicyDocument } from '@/lib/policy/policy-document';
import type { DelegateCandidate } from '@/lib/agents/list-delegate-candidates';
import type { DeclaredAction } from '@/lib/policy/declared-actions';
import { sameDocument } from '@/lib/policy/same-document';
import { call, Card, type Check, type PolicyVersion } from '@/components/dashboard/policy-editor-parts';
import { History } from '@/components/dashboard/policy-history';
import { RulesForm } from '@/components/dashboard/policy-rules-form';
import { Simulator } from '@/components/dashboard/policy-simulator';

export type { PolicyVersion } from '@/components/dashboard/policy-editor-parts';

type Baseline = Pick<PolicyVersion, 'version' | 'document' | 'cedar' | 'handWritten'>;

type Props = {
  agentId: string;
  agentName: string;
  current: PolicyVersion;
  versions: PolicyVersion[];
  userTimeZone: string;
  /** The agents that may be picked to act for this one (Rules → Delegation). */
  delegates: DelegateCandidate[];
  /** Registered resources' declared actions (issue 14 §3), shown beside Leash's own. */
  declared: DeclaredAction[];
};

const TABS = ['Rules', 'Advanced', 'Simulator', 'History'] as const;
type Tab = (typeof TABS)[number];
export function PolicyEditor({ agentId, agentName, current, versions, userTimeZone, delegates, declared }: Props) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [tab, setTab] = useState<Tab>('Rules');
  const [draft, setDraft] = useState<PolicyDocument>(current.document);
  const [cedar, setCedar] = useState(current.cedar);
  const [handEdited, setHandEdited] = useState(current.handWritten);
  const [check, setCheck] = useState<Check | null>(null);
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ tone: 'success' | 'danger'; text: string; details?: string[] } | null>(null);
  // What the draft is compared with, and reset to: the version in force, or the one just saved
  // (the page's `current` catches up only after the refresh). Issue 18: "You have unsaved changes"
  // showed after every save.
  const [baseline, setBaseline] = useState<Baseline>(current);
  const [seenVersion, setSeenVersion] = useState(current.version);
  if (current.version !== seenVersion) {
    setSeenVersion(current.version);
    // A version this editor did not save (a rollback, another tab): the editor shows it.
    if (current.version !== baseline.version) adopt(current);
  }
  const base = `/api/account/agents/${agentId}/policy`;
  const dirty = !sameDocument(draft, baseline.document) || (handEdited ? cedar !== baseline.cedar : baseline.handWritten);

  function adopt(version: Baseline) {
    setBaseline(version);
    setDraft(version.document);
    setCedar(version.cedar);
    setHandEdited(version.handWritten);
  }

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
    const saved = { document: draft, cedar, handWritten: handEdited };
    const answer = await call(base, { document: draft, cedar: handEdited ? cedar : undefined, expected_version: baseline.version });
    setSaving(false);
    if (answer.ok) {
      const version = answer.body.version as number;
      setBaseline({ version, ...saved });
      setMessage({ tone: 'success', text: `Saved as version ${version}. It applies to ${agentName}’s next request.` });
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

      {tab === 'Rules' ? <RulesForm draft={draft} update={update} userTimeZone={userTimeZone} handEdited={handEdited} delegates={delegates} declared={declared} /> : null}
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
            <ul aria-label="Cedar problems" className="space-y-1 break-words text-sm text-danger">
              {check.problems.map((p, i) => (
                <li key={i}>
                  {p.policy ? <span className="font-mono text-xs font-medium">{p.policy}</span> : null}
                  {p.policy && p.line ? ' ' : null}
                  {p.line ? `(line ${p.line})` : null}
                  {p.policy || p.line ? ': ' : null}
                  {p.message}
                </li>
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
      {tab === 'Simulator' ? <Simulator base={base} draft={draft} cedar={handEdited ? cedar : undefined} declared={declared} /> : null}
      {tab === 'History' ? <History base={base} current={current} versions={versions} onDone={() => router.refresh()} /> : null}

      <div className="sticky bottom-16 z-10 flex flex-wrap items-center justify-between gap-3 rounded-2xl border border-line bg-surface/95 px-4 py-3 shadow-sm backdrop-blur md:bottom-4">
        <p className="text-sm text-muted">
          {baseline.version ? `Version ${baseline.version} is in force.` : 'The defaults are in force.'} {dirty ? 'You have unsaved changes.' : ''}
        </p>
        <div className="flex gap-2">
          <Button
            variant="ghost"
            disabled={!dirty || saving}
            onClick={() => {
              adopt(baseline);
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
