'use client';

// The Approvals inbox, live: an agent's just-in-time elevation request appears at once (SSE), with
// who asks (and the mark that tells it from a look-alike), exactly what, why, and for how long.
// "Review and approve" opens the request's own page, where the second factor is asked for that
// request; Deny is one click here. A person without a second factor is told at once.
import Link from 'next/link';
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApprovalIcon } from '@/components/icons';
import { ApprovalSummary } from '@/components/dashboard/approval-summary';
import { useLiveUpdates, useNow } from '@/components/dashboard/use-live-updates';
import { Alert } from '@/components/ui/alert';
import { Button, buttonClasses, Spinner } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { useHydrated } from '@/components/ui/use-hydrated';
import { AgentMark } from '@/components/ui/agent-mark';
import { Badge } from '@/components/ui/badge';
import type { ApprovalHistoryItem, PendingApproval } from '@/lib/approvals/list-pending-approvals';

type Inbox = { approvals: PendingApproval[]; history: ApprovalHistoryItem[] };

const KEY = ['approvals'] as const;

export function LiveApprovals({ initial, hasSecondFactor }: { initial: Inbox; hasSecondFactor: boolean }) {
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const now = useNow();
  const { data } = useQuery({
    queryKey: KEY,
    queryFn: async (): Promise<Inbox> => {
      const response = await fetch('/api/account/approvals', { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    },
    initialData: initial,
  });
  useLiveUpdates({ approvals: KEY });
  const [message, setMessage] = useState<{ tone: 'success' | 'danger'; text: string } | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const deny = useMutation({
    mutationFn: async (ids: string[]) => {
      const [path, init] =
        ids.length === 1
          ? [`/api/account/approvals/${ids[0]}/deny`, { method: 'POST' }]
          : ['/api/account/approvals/deny', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ids }) }];
      const response = await fetch(path, init).catch(() => null);
      const body = (await response?.json().catch(() => null)) as { message?: string; denied?: number } | null;
      if (!response?.ok) throw new Error(body?.message ?? 'The server could not be reached. Please try again.');
      return ids.length === 1 ? 'Denied. The agent was told no.' : `Denied ${body?.denied ?? ids.length} requests. The agents were told no.`;
    },
    onSuccess: (text) => {
      setSelected([]);
      setMessage({ tone: 'success', text });
    },
    onError: (error: Error) => setMessage({ tone: 'danger', text: error.message }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: KEY }),
  });
  const pending = data.approvals.filter((a) => new Date(a.expiresAt).getTime() > now);
  const chosen = selected.filter((id) => pending.some((a) => a.id === id));

  return (
    <div className="space-y-4">
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      {!hasSecondFactor ? (
        <Alert tone="warning">
          Approving a request needs a second factor, and your account has none yet.{' '}
          <Link href="/settings" className="font-medium underline">
            Set up an authenticator app
          </Link>{' '}
          before an agent asks: requests expire within minutes.
        </Alert>
      ) : null}
      {pending.length === 0 ? (
        <EmptyState icon={<ApprovalIcon className="h-6 w-6" />} title="Nothing waiting for you">
          <p>
            When an agent needs to do something your policy marks as high-risk, such as paying an invoice or triggering a workflow, it asks here first: who is asking, exactly what, why, and for how
            long.
          </p>
          <p>You confirm each one with a second factor; approved access expires on its own within minutes.</p>
        </EmptyState>
      ) : (
        <>
          {pending.length > 1 ? (
            <div className="flex flex-wrap items-center gap-3 text-sm">
              <label className="flex items-center gap-2">
                <input type="checkbox" checked={chosen.length === pending.length} onChange={(e) => setSelected(e.target.checked ? pending.map((a) => a.id) : [])} />
                Select all
              </label>
              <Button variant="secondary" className="h-9 px-3" disabled={!hydrated || chosen.length === 0 || deny.isPending} onClick={() => deny.mutate(chosen)}>
                Deny selected ({chosen.length})
              </Button>
            </div>
          ) : null}
          <ul aria-label="Pending approvals" className="space-y-3">
            {pending.map((approval) => (
              <li key={approval.id} className="space-y-3 rounded-2xl border border-line bg-surface p-4 sm:p-5" aria-label={`Request from ${approval.agentName}`}>
                <ApprovalSummary approval={approval} now={now} />
                <div className="flex flex-wrap items-center gap-2">
                  {pending.length > 1 ? (
                    <label className="mr-1 flex items-center gap-2 text-sm">
                      <input
                        type="checkbox"
                        checked={chosen.includes(approval.id)}
                        onChange={(e) => setSelected(e.target.checked ? [...chosen, approval.id] : chosen.filter((id) => id !== approval.id))}
                      />
                      Select
                    </label>
                  ) : null}
                  <Link href={`/approvals/${approval.id}`} className={buttonClasses('primary')}>
                    Review and approve
                  </Link>
                  <Button variant="secondary" onClick={() => deny.mutate([approval.id])} disabled={!hydrated || deny.isPending}>
                    {deny.isPending ? <Spinner /> : null}
                    Deny
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
      {data.history.length ? (
        <section aria-labelledby="approval-history" className="space-y-2 pt-2">
          <h2 id="approval-history" className="text-sm font-semibold">
            History
          </h2>
          <ul aria-label="Answered and expired requests" className="divide-y divide-line rounded-2xl border border-line bg-surface">
            {data.history.map((item) => (
              <li key={item.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-3 text-sm">
                <Badge tone={item.outcome === 'Approved' ? 'success' : item.outcome === 'Denied' ? 'danger' : 'neutral'}>{item.outcome}</Badge>
                <span className="font-medium">{item.agentName}</span>
                <AgentMark clientId={item.agentClientId} verifiedDomain={item.agentVerifiedDomain} />
                <span className="min-w-0 grow break-words text-muted">{item.what.join('; ')}</span>
                <span className="text-xs text-muted" suppressHydrationWarning>
                  {new Date(item.at).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
