'use client';

// The Tokens screen, live: every active credential of the user's agents grouped by agent, updated
// within a second of any issuance, use or revocation (useLiveUpdates) and counting down to expiry.
// Revoke one token, the kill switch per agent (revoke everything it holds and suspend it), resume,
// and "revoke everything" behind a typed confirmation. A token an agent narrowed from one of its
// own (RFC 8693 exchange without an actor) is shown indented under it: revoking the parent revokes
// it too.
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { KeyIcon } from '@/components/icons';
import { AgentMark } from '@/components/ui/agent-mark';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button, Spinner } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { TextField } from '@/components/ui/text-field';
import { useHydrated } from '@/components/ui/use-hydrated';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { postJson as post } from '@/components/dashboard/post-json';
import { useLiveUpdates, useNow, type LiveStatus } from '@/components/dashboard/use-live-updates';
import type { LiveCredentials } from '@/lib/dashboard/list-live-credentials';
import { ConnectFirstAgent } from '@/components/dashboard/connect-first-agent';
import { TechnicalDetails } from '@/components/ui/technical-details';
import { describeAudience, describeScopes, type RegisteredWords } from '@/lib/words/plain-words';

type Token = LiveCredentials['tokens'][number];
type Agent = LiveCredentials['agents'][number];

export const CREDENTIALS_KEY = ['credentials'] as const;
const CONFIRMATION = 'revoke everything';

function countdown(ms: number): string {
  if (ms <= 0) return 'expired';
  const total = Math.floor(ms / 1000);
  const days = Math.floor(total / 86400);
  if (days >= 1) return `${days} day${days === 1 ? '' : 's'}`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}:${String(s).padStart(2, '0')}`;
}

function when(iso: string, timeZone: string) {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
}

export function LiveTokens({ initial, timeZone, mcpUrl }: { initial: LiveCredentials; timeZone: string; mcpUrl: string }) {
  const queryClient = useQueryClient();
  const { data, isError, isFetching } = useQuery({
    queryKey: CREDENTIALS_KEY,
    queryFn: async (): Promise<LiveCredentials> => {
      const response = await fetch('/api/account/tokens', { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    },
    initialData: initial,
  });
  const status = useLiveUpdates({ tokens: CREDENTIALS_KEY, agents: CREDENTIALS_KEY });
  const now = useNow();
  const [error, setError] = useState<string | null>(null);
  const mutation = useMutation({
    mutationFn: ({ path, body }: { path: string; body?: unknown }) => post(path, body),
    onSuccess: () => setError(null),
    onError: (e: Error) => setError(e.message),
    onSettled: () => queryClient.invalidateQueries({ queryKey: CREDENTIALS_KEY }),
  });
  const act = (path: string, body?: unknown) => mutation.mutateAsync({ path, body }).catch(() => undefined);

  const tokens = data.tokens.filter((t) => new Date(t.expiresAt).getTime() > now);
  const agents = data.agents;
  const words = data.words;

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <LiveIndicator status={status} fetching={isFetching} />
        {tokens.length > 0 ? <RevokeEverything onConfirm={() => act('/api/account/tokens/revoke-all', { confirm: CONFIRMATION })} count={tokens.length} /> : null}
      </div>
      {error ? <Alert tone="danger">{error}</Alert> : null}
      {isError ? <Alert tone="warning">The list could not be refreshed. It will retry on its own.</Alert> : null}
      {agents.length === 0 && tokens.length === 0 ? (
        <EmptyState icon={<KeyIcon className="h-6 w-6" />} title="No active tokens">
          <p>
            A token is the short-lived pass an agent you allowed uses to act for you. Each one appears here at once, with what it allows, when it expires and where it was last used from; you can
            revoke any of them, or everything an agent holds, in one click.
          </p>
          <ConnectFirstAgent mcpUrl={mcpUrl} />
        </EmptyState>
      ) : (
        agents
          .map((agent) => ({ agent, held: tokens.filter((t) => t.agentId === agent.id) }))
          .concat(orphanAgents(tokens, agents))
          .map(({ agent, held }) => <AgentTokens key={agent.id} agent={agent} tokens={held} now={now} timeZone={timeZone} act={act} words={words} />)
      )}
    </div>
  );
}

/** Tokens whose agent has no grant listed (an agent acting for a user it owns). */
function orphanAgents(tokens: Token[], agents: Agent[]) {
  const known = new Set(agents.map((a) => a.id));
  const extra = new Map<string, { agent: Agent; held: Token[] }>();
  for (const token of tokens) {
    if (known.has(token.agentId)) continue;
    const entry = extra.get(token.agentId) ?? { agent: { id: token.agentId, name: token.agentName, suspended: false }, held: [] };
    entry.held.push(token);
    extra.set(token.agentId, entry);
  }
  return [...extra.values()];
}

function LiveIndicator({ status, fetching }: { status: LiveStatus; fetching: boolean }) {
  const text = status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <p className="flex items-center gap-2 text-sm text-muted" role="status" aria-label={`Live updates: ${text}`}>
      <span className={`h-2 w-2 rounded-full ${status === 'live' ? 'bg-success' : 'animate-pulse bg-warning'}`} aria-hidden="true" />
      {text}
      {fetching ? <Spinner /> : null}
    </p>
  );
}

function AgentTokens({ agent, tokens, now, timeZone, act, words }: { agent: Agent; tokens: Token[]; now: number; timeZone: string; act: (path: string) => Promise<unknown>; words: RegisteredWords }) {
  return (
    <section aria-label={agent.name} className="overflow-hidden rounded-2xl border border-line bg-surface">
      <header className="flex flex-col gap-3 border-b border-line px-4 py-3 sm:flex-row sm:items-center sm:justify-between sm:px-5">
        <div className="flex min-w-0 items-center gap-2">
          <h2 className="truncate font-semibold text-fg">{agent.name}</h2>
          {agent.clientId ? <AgentMark clientId={agent.clientId} verifiedDomain={agent.verifiedDomain} /> : null}
          {agent.suspended ? <Badge tone="danger">Suspended</Badge> : <Badge tone="success">Active</Badge>}
          <span className="whitespace-nowrap text-sm text-muted">
            {tokens.length} token{tokens.length === 1 ? '' : 's'}
          </span>
        </div>
        {agent.suspended ? (
          <ConfirmButton
            label="Resume"
            variant="secondary"
            question={`Let ${agent.name} get new tokens again? It will have to ask you again for access.`}
            confirmLabel="Resume"
            onConfirm={() => act(`/api/account/agents/${agent.id}/resume`)}
          />
        ) : (
          <ConfirmButton
            label="Kill switch"
            variant="danger"
            question={`Stop ${agent.name} now? Every token it holds is revoked and it gets no new ones until you resume it.`}
            confirmLabel="Stop this agent"
            onConfirm={() => act(`/api/account/agents/${agent.id}/suspend`)}
          />
        )}
      </header>
      {tokens.length === 0 ? (
        <p className="px-4 py-3 text-sm text-muted sm:px-5">{agent.suspended ? 'Suspended: it holds no tokens and cannot get new ones.' : 'No active tokens right now.'}</p>
      ) : (
        <ul aria-label={`Tokens of ${agent.name}`} className="divide-y divide-line">
          {roots(tokens).map((token) => (
            <TokenItem key={token.id} token={token} tokens={tokens} now={now} timeZone={timeZone} act={act} words={words} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** Tokens shown at the top level: not narrowed from another, or narrowed from one no longer listed. */
function roots(tokens: Token[]): Token[] {
  const listed = new Set(tokens.map((t) => t.id));
  return tokens.filter((t) => !t.parentTokenId || !listed.has(t.parentTokenId));
}

function descendants(token: Token, tokens: Token[]): number {
  return tokens.filter((t) => t.parentTokenId === token.id).reduce((n, child) => n + 1 + descendants(child, tokens), 0);
}

function TokenItem({ token, tokens, now, timeZone, act, words }: { token: Token; tokens: Token[]; now: number; timeZone: string; act: (path: string) => Promise<unknown>; words: RegisteredWords }) {
  const parent = token.parentTokenId ? tokens.find((t) => t.id === token.parentTokenId) : undefined;
  const children = tokens.filter((t) => t.parentTokenId === token.id);
  const below = descendants(token, tokens);
  return (
    <li data-token-id={token.id} data-parent-token-id={token.parentTokenId ?? undefined}>
      <div className="flex flex-col gap-2 px-4 py-3 sm:flex-row sm:items-center sm:justify-between sm:px-5">
        <div className="min-w-0 space-y-1">
          <p className="flex flex-wrap items-center gap-2 text-sm">
            <Badge tone="accent">{token.kind === 'ACCESS' ? 'Access' : 'Refresh'}</Badge>
            {token.parentTokenId ? <Badge tone="neutral">Narrowed</Badge> : null}
            {token.jit ? <Badge tone="warning">Just-in-time</Badge> : null}
            <span className="text-muted">
              expires in{' '}
              <span className="tabular-nums text-fg" suppressHydrationWarning>
                {countdown(new Date(token.expiresAt).getTime() - now)}
              </span>
            </span>
          </p>
          <p className="text-sm text-fg">{describeScopes(token.scopes, words).join(', ')}</p>
          <p className="text-xs text-muted first-letter:uppercase">{[...new Set(token.audience.map((r) => describeAudience(r, words)))].join('; ')}</p>
          {token.delegation ? <p className="text-xs text-muted">{token.delegation}</p> : null}
          {token.parentTokenId ? (
            <p className="text-xs text-muted">
              {parent ? `Narrowed from the token for ${describeScopes(parent.scopes, words).join(', ')} created ${when(parent.createdAt, timeZone)}` : 'Narrowed from a token no longer listed'}
            </p>
          ) : null}
          <p className="text-xs text-muted">
            Created {when(token.createdAt, timeZone)} · {token.lastUsedAt ? `last used ${when(token.lastUsedAt, timeZone)}${token.lastUsedIp ? ` from ${token.lastUsedIp}` : ''}` : 'never used'}
          </p>
          <TechnicalDetails>
            <p>
              {token.prefix}… ({token.kind === 'ACCESS' ? 'access' : 'refresh'} token)
            </p>
            <p>scope {token.scopes.join(' ')}</p>
            <p className="break-all">aud {token.audience.join(' ')}</p>
            {token.actorClientIds.length ? <p className="break-all">act {token.actorClientIds.join(' ← ')}</p> : null}
          </TechnicalDetails>
        </div>
        <ConfirmButton
          label="Revoke"
          variant="secondary"
          question={`Revoke this token? The agent's next call with it fails${below ? `, and the ${below === 1 ? 'token' : `${below} tokens`} narrowed from it stop too` : ''}.`}
          confirmLabel="Revoke"
          onConfirm={() => act(`/api/account/tokens/${token.id}/revoke`)}
        />
      </div>
      {children.length ? (
        <ul aria-label="Narrowed from this token" className="ml-6 divide-y divide-line border-l-2 border-line sm:ml-8">
          {children.map((child) => (
            <TokenItem key={child.id} token={child} tokens={tokens} now={now} timeZone={timeZone} act={act} words={words} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function RevokeEverything({ onConfirm, count }: { onConfirm: () => Promise<unknown>; count: number }) {
  const hydrated = useHydrated();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [pending, setPending] = useState(false);
  if (!open) {
    return (
      <Button variant="danger" className="h-9 px-3" onClick={() => setOpen(true)} disabled={!hydrated}>
        Revoke everything
      </Button>
    );
  }
  return (
    <form
      className="w-full space-y-3 rounded-xl border border-danger/30 bg-danger-soft p-4"
      onSubmit={async (event) => {
        event.preventDefault();
        setPending(true);
        await onConfirm();
        setPending(false);
        setOpen(false);
        setTyped('');
      }}
    >
      <p className="text-sm text-fg">
        This revokes all {count} active token{count === 1 ? '' : 's'} of every agent at once, ends every agent&rsquo;s access to your account (remembered consents included) and denies any request
        waiting for your approval. Every agent will have to ask you again, on the consent screen. Type <strong>{CONFIRMATION}</strong> to confirm.
      </p>
      <TextField id="revoke-everything" label="Confirmation" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
      <div className="flex gap-2">
        <Button type="submit" variant="danger" disabled={typed !== CONFIRMATION || pending}>
          {pending ? <Spinner /> : null}
          Revoke everything
        </Button>
        <Button type="button" variant="ghost" onClick={() => setOpen(false)} disabled={pending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
