'use client';

// The agent page's API keys section (docs/api-keys.md): the keys (react-query, refetched after each
// change), a form to make one, the key shown once with a copy button, and per key one-click rotation
// and revocation (each confirmed first). Beside it, the nudge toward OAuth: a key is a stopgap.
import Link from 'next/link';
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { send } from '@/components/dashboard/resource-register-form';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button, Spinner } from '@/components/ui/button';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { CopyField } from '@/components/ui/copy-field';
import { TextField } from '@/components/ui/text-field';
import { useHydrated } from '@/components/ui/use-hydrated';
import { API_KEY_DEFAULT_DAYS, API_KEY_MAX_DAYS } from '@/lib/api-keys/api-key-limits';
import type { PresentedApiKey } from '@/lib/api-keys/list-api-keys';

type ScopeChoice = { name: string; words: string };
type Shown = { key: string; name: string; rotated: boolean };

const STATUS: Record<PresentedApiKey['status'], { label: string; tone: 'success' | 'warning' | 'danger' | 'neutral' }> = {
  active: { label: 'Active', tone: 'success' },
  blocked: { label: 'Blocked: agent stopped', tone: 'warning' },
  expired: { label: 'Expired', tone: 'neutral' },
  revoked: { label: 'Revoked', tone: 'danger' },
};

const DAY_MS = 86_400_000;

/** "in 12 days", "in 5 hours", "3 days ago", "just now": what a countdown says at a glance. */
export function relativeTime(iso: string, now: number): string {
  const ms = new Date(iso).getTime() - now;
  const abs = Math.abs(ms);
  if (abs < 60_000) return ms >= 0 ? 'in less than a minute' : 'just now';
  // Rounded: a key made for 12 days says "in 12 days" at once, not "in 11 days".
  const [n, unit] = abs >= DAY_MS ? [Math.round(abs / DAY_MS), 'day'] : abs >= 3_600_000 ? [Math.round(abs / 3_600_000), 'hour'] : [Math.round(abs / 60_000), 'minute'];
  const words = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return ms >= 0 ? `in ${words}` : `${words} ago`;
}

export function ApiKeysManager({
  agentId,
  agentName,
  initial,
  scopeChoices,
  stopped,
}: {
  agentId: string;
  agentName: string;
  initial: PresentedApiKey[];
  scopeChoices: ScopeChoice[];
  stopped: boolean;
}) {
  const queryClient = useQueryClient();
  const queryKey = ['api-keys', agentId];
  const {
    data: keys,
    isError,
    isFetching,
    dataUpdatedAt,
  } = useQuery({
    queryKey,
    queryFn: async (): Promise<PresentedApiKey[]> => {
      const response = await fetch(`/api/account/agents/${agentId}/api-keys`, { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return ((await response.json()) as { keys: PresentedApiKey[] }).keys;
    },
    initialData: initial,
    // The countdowns and last uses are read against the list's own time, kept fresh each minute.
    refetchInterval: 60_000,
  });
  const [shown, setShown] = useState<Shown | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: async (path: string) => {
      const answer = await send('POST', path, {});
      if (!answer.ok) throw new Error(answer.message);
      return answer.json;
    },
    onSuccess: () => setError(null),
    onError: (e: Error) => setError(e.message),
    onSettled: () => queryClient.invalidateQueries({ queryKey }),
  });
  const now = dataUpdatedAt;

  return (
    <div className="space-y-4">
      <Alert tone="info">
        API keys are a stopgap for agents that can only send a static key: the agent exchanges the key for a short-lived token, but whoever copies the key can do the same until it expires.{' '}
        <strong className="font-semibold">OAuth is safer</strong>: with <code className="font-mono text-xs">npx leash login</code> or <code className="font-mono text-xs">connect()</code> from{' '}
        <code className="font-mono text-xs">@leash/agent</code> the agent holds no long-lived secret.{' '}
        <Link href="/connect" className="font-medium underline">
          How to connect it with OAuth
        </Link>{' '}
        · docs/api-keys.md
      </Alert>
      {shown ? <ShownKey shown={shown} onDone={() => setShown(null)} /> : null}
      {error ? <Alert tone="danger">{error}</Alert> : null}
      {isError ? <Alert tone="warning">The list could not be refreshed; it may be out of date.</Alert> : null}

      {keys.length === 0 ? (
        <div className="rounded-xl border border-dashed border-line-strong px-4 py-6 text-center">
          <p className="text-sm font-medium text-fg">No API key for {agentName}</p>
          <p className="mx-auto mt-1 max-w-md text-sm text-muted">
            Make one only if the agent cannot sign in with OAuth. It expires within {API_KEY_MAX_DAYS} days and works only at the token endpoint.
          </p>
        </div>
      ) : (
        <ul aria-label="API keys" className="divide-y divide-line rounded-xl border border-line">
          {keys.map((k) => (
            <li key={k.id} aria-label={k.name} className="flex flex-col gap-3 px-3 py-3 sm:flex-row sm:items-start sm:justify-between">
              <div className="min-w-0 space-y-1">
                <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-fg">
                  {k.name}
                  <Badge tone={STATUS[k.status].tone}>{STATUS[k.status].label}</Badge>
                  <span className="font-mono text-xs text-muted">{k.hint}…</span>
                </p>
                <p className="text-xs text-muted">{k.scopes.map((s) => scopeChoices.find((c) => c.name === s)?.words ?? s).join(', ')}</p>
                <p className="text-xs text-muted" suppressHydrationWarning>
                  {k.status === 'revoked'
                    ? `Revoked ${relativeTime(k.revokedAt!, now)}${k.revokedReason === 'revoked by the user' ? ' by you' : k.revokedReason ? ` (${k.revokedReason})` : ''}`
                    : k.status === 'expired'
                      ? `Expired ${relativeTime(k.expiresAt, now)}`
                      : `Expires ${relativeTime(k.expiresAt, now)}`}
                  {' · '}
                  {k.lastUsedAt ? `last used ${relativeTime(k.lastUsedAt, now)}${k.lastUsedIp ? ` from ${k.lastUsedIp}` : ''}` : 'never used'}
                </p>
                <p className="text-xs text-muted">{k.ipRanges.length ? `Only from ${k.ipRanges.join(', ')}` : 'From any address'}</p>
              </div>
              {k.status === 'active' || k.status === 'blocked' ? (
                <div className="flex shrink-0 flex-wrap gap-2">
                  <ConfirmButton
                    label="Rotate"
                    variant="secondary"
                    question={`Replace “${k.name}” with a new key? The current key and its tokens stop working at once.`}
                    confirmLabel="Rotate the key"
                    onConfirm={async () => {
                      const json = await change.mutateAsync(`/api/account/api-keys/${k.id}/rotate`).catch(() => null);
                      if (json) setShown({ key: String(json.key), name: k.name, rotated: true });
                    }}
                  />
                  <ConfirmButton
                    label="Revoke"
                    variant="danger"
                    question={`Revoke “${k.name}”? The agent can no longer exchange it, and its tokens stop working.`}
                    confirmLabel="Revoke the key"
                    onConfirm={() => change.mutateAsync(`/api/account/api-keys/${k.id}/revoke`).catch(() => undefined)}
                  />
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}

      {formOpen && !isFetching ? null : (
        <div className="flex flex-wrap items-center gap-3">
          {formOpen ? null : (
            <Button type="button" variant="secondary" className="h-9 px-3" disabled={stopped} onClick={() => setFormOpen(true)}>
              New API key
            </Button>
          )}
          {stopped ? <p className="text-sm text-muted">This agent is stopped: resume it to make a key.</p> : null}
          {isFetching ? (
            <span className="flex items-center gap-2 text-xs text-muted">
              <Spinner /> Refreshing…
            </span>
          ) : null}
        </div>
      )}
      {formOpen ? (
        <NewKeyForm
          agentId={agentId}
          scopeChoices={scopeChoices}
          onCancel={() => setFormOpen(false)}
          onMade={(key, name) => {
            setFormOpen(false);
            setShown({ key, name, rotated: false });
            void queryClient.invalidateQueries({ queryKey });
          }}
        />
      ) : null}
    </div>
  );
}

function ShownKey({ shown, onDone }: { shown: Shown; onDone: () => void }) {
  return (
    <section aria-label="New API key" className="space-y-3 rounded-xl border border-warning/30 bg-warning-soft p-4">
      <p className="text-sm font-semibold text-fg">{shown.rotated ? `New key for “${shown.name}”: the old one no longer works` : `Your new key “${shown.name}”`}</p>
      <p className="text-sm text-fg">This is the only time the key is shown. Put it in the agent’s secret store (an environment variable), never in code or a config file in git.</p>
      <CopyField label="API key" value={shown.key} />
      <p className="text-sm text-muted">
        The agent sends it to the token endpoint (<code className="font-mono text-xs">grant_type=urn:ietf:params:oauth:grant-type:token-exchange</code>,{' '}
        <code className="font-mono text-xs">subject_token_type=urn:leash:params:oauth:token-type:api-key</code>) and calls the API with the token it gets back.
      </p>
      <Button type="button" variant="secondary" className="h-9 px-3" onClick={onDone}>
        I have stored it
      </Button>
    </section>
  );
}

const input = 'w-full rounded-lg border border-line-strong bg-surface px-3 text-sm text-fg shadow-sm outline-none focus:border-accent focus:ring-2 focus:ring-accent/25';

function NewKeyForm({ agentId, scopeChoices, onCancel, onMade }: { agentId: string; scopeChoices: ScopeChoice[]; onCancel: () => void; onMade: (key: string, name: string) => void }) {
  const hydrated = useHydrated();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(scopeChoices.slice(0, 1).map((c) => c.name));
  const [days, setDays] = useState(String(API_KEY_DEFAULT_DAYS));
  const [ranges, setRanges] = useState('');
  const [state, setState] = useState<{ pending?: boolean; error?: string; fields?: Record<string, string[]> }>({});
  const field = (f: string) => state.fields?.[f]?.join(' ');
  return (
    <form
      aria-label="New API key"
      className="space-y-4 rounded-xl border border-line bg-subtle/40 p-4"
      onSubmit={async (event) => {
        event.preventDefault();
        setState({ pending: true });
        const answer = await send('POST', `/api/account/agents/${agentId}/api-keys`, {
          name,
          scopes,
          expiresInDays: Number(days),
          ipRanges: ranges
            .split(/[\s,]+/)
            .map((r) => r.trim())
            .filter(Boolean),
        });
        if (!answer.ok) return setState({ error: answer.message, fields: answer.fields });
        setState({});
        onMade(String(answer.json.key), name.trim());
      }}
    >
      <div>
        <h3 className="text-sm font-semibold text-fg">New API key</h3>
        <p className="mt-0.5 text-sm text-muted">It acts for you, as this agent, within these permissions and your policy for it.</p>
      </div>
      {state.error ? <Alert tone="danger">{state.error}</Alert> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          id="api-key-name"
          label="Name"
          placeholder="Nightly sync"
          required
          maxLength={80}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={field('name')}
          hint="What the key is for."
        />
        <TextField
          id="api-key-days"
          label="Expires in (days)"
          type="number"
          inputMode="numeric"
          min={1}
          max={API_KEY_MAX_DAYS}
          required
          value={days}
          onChange={(e) => setDays(e.target.value)}
          error={field('expiresInDays')}
          hint={`1 to ${API_KEY_MAX_DAYS} days.`}
        />
      </div>
      <fieldset>
        <legend className="mb-1.5 text-sm font-medium">Permissions</legend>
        {scopeChoices.length === 0 ? <p className="text-sm text-muted">Your policy for this agent allows nothing a key could hold.</p> : null}
        <div className="grid gap-1.5 sm:grid-cols-2">
          {scopeChoices.map((choice) => (
            <label key={choice.name} className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                className="mt-1"
                checked={scopes.includes(choice.name)}
                onChange={(e) => setScopes(e.target.checked ? [...scopes, choice.name] : scopes.filter((s) => s !== choice.name))}
              />
              <span>
                {choice.words} <span className="font-mono text-xs text-muted">{choice.name}</span>
              </span>
            </label>
          ))}
        </div>
        {field('scopes') ? <p className="mt-1 text-sm text-danger">{field('scopes')}</p> : null}
      </fieldset>
      <label className="block space-y-1.5 text-sm">
        <span className="font-medium">Only from these addresses (optional)</span>
        <textarea
          aria-label="Address ranges"
          className={`${input} h-20 py-2 font-mono text-xs`}
          placeholder={'203.0.113.0/24\n2001:db8::/32'}
          value={ranges}
          onChange={(e) => setRanges(e.target.value)}
        />
        <span className="block text-xs text-muted">One CIDR block per line, IPv4 or IPv6. Empty: any address.</span>
        {field('ipRanges') ? <span className="block text-sm text-danger">{field('ipRanges')}</span> : null}
      </label>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" className="h-9 px-3" disabled={!hydrated || state.pending}>
          {state.pending ? <Spinner /> : null}
          Make the key
        </Button>
        <Button type="button" variant="ghost" className="h-9 px-3" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
