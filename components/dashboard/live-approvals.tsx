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
import type { PendingApproval } from '@/lib/approvals/list-pending-approvals';

const KEY = ['approvals'] as const;

export function LiveApprovals({ initial, hasSecondFactor }: { initial: PendingApproval[]; hasSecondFactor: boolean }) {
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const now = useNow();
  const { data } = useQuery({
    queryKey: KEY,
    queryFn: async (): Promise<PendingApproval[]> => {
      const response = await fetch('/api/account/approvals', { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return (await response.json()).approvals;
    },
    initialData: initial,
  });
  useLiveUpdates({ approvals: KEY });
  const [message, setMessage] = useState<{ tone: 'success' | 'danger'; text: string } | null>(null);
  const deny = useMutation({
    mutationFn: async (id: string) => {
      const response = await fetch(`/api/account/approvals/${id}/deny`, { method: 'POST' }).catch(() => null);
      const body = (await response?.json().catch(() => null)) as { message?: string } | null;
      if (!response?.ok) throw new Error(body?.message ?? 'The server could not be reached. Please try again.');
      return 'Denied. The agent was told no.';
    },
    onSuccess: (text) => setMessage({ tone: 'success', text }),
    onError: (error: Error) => setMessage({ tone: 'danger', text: error.message }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: KEY }),
  });
  const pending = data.filter((a) => new Date(a.expiresAt).getTime() > now);

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
            When an agent needs to do something your policy marks as high-risk, such as paying an invoice or triggering a workflow, it asks here first:
            who is asking, exactly what, why, and for how long.
          </p>
          <p>You confirm each one with a second factor; approved access expires on its own within minutes.</p>
        </EmptyState>
      ) : (
        <ul aria-label="Pending approvals" className="space-y-3">
          {pending.map((approval) => (
            <li key={approval.id} className="space-y-3 rounded-2xl border border-line bg-surface p-4 sm:p-5" aria-label={`Request from ${approval.agentName}`}>
              <ApprovalSummary approval={approval} now={now} />
              <div className="flex flex-wrap gap-2">
                <Link href={`/approvals/${approval.id}`} className={buttonClasses('primary')}>
                  Review and approve
                </Link>
                <Button variant="secondary" onClick={() => deny.mutate(approval.id)} disabled={!hydrated || deny.isPending}>
                  {deny.isPending ? <Spinner /> : null}
                  Deny
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
