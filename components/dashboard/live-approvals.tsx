'use client';

// The Approvals inbox, live: an agent's just-in-time elevation request appears at once (SSE), with
// who asks, exactly what, why, and for how long. Approve needs the user's second factor (a
// password-only session is sent through /step-up first); Deny is one click.
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApprovalIcon } from '@/components/icons';
import { useLiveUpdates, useNow } from '@/components/dashboard/use-live-updates';
import { AgentAvatar } from '@/components/ui/agent-avatar';
import { Alert } from '@/components/ui/alert';
import { Button, Spinner } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { useHydrated } from '@/components/ui/use-hydrated';
import type { PendingApproval } from '@/lib/approvals/list-pending-approvals';

const KEY = ['approvals'] as const;

function remaining(ms: number) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function LiveApprovals({ initial }: { initial: PendingApproval[] }) {
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
  const decide = useMutation({
    mutationFn: async ({ id, approve }: { id: string; approve: boolean }) => {
      const response = await fetch(`/api/account/approvals/${id}/${approve ? 'approve' : 'deny'}`, { method: 'POST' }).catch(() => null);
      const body = (await response?.json().catch(() => null)) as { error?: string; message?: string } | null;
      if (body?.error === 'step_up_required') {
        window.location.assign(`/step-up?callbackUrl=${encodeURIComponent('/approvals')}`);
        return null;
      }
      if (!response?.ok) throw new Error(body?.message ?? 'The server could not be reached. Please try again.');
      return approve ? 'Approved. The agent gets its elevated access on its next poll.' : 'Denied. The agent was told no.';
    },
    onSuccess: (text) => text && setMessage({ tone: 'success', text }),
    onError: (error: Error) => setMessage({ tone: 'danger', text: error.message }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: KEY }),
  });
  const pending = data.filter((a) => new Date(a.expiresAt).getTime() > now);

  return (
    <div className="space-y-4">
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      {pending.length === 0 ? (
        <EmptyState icon={<ApprovalIcon className="h-6 w-6" />} title="Nothing waiting for you">
          <p>
            When an agent needs to do something your policy marks as high-risk, such as paying an invoice or triggering a workflow, it asks here first:
            who is asking, exactly what, why, and for how long.
          </p>
          <p>You confirm with a second factor; approved access expires on its own within minutes.</p>
        </EmptyState>
      ) : (
        <ul aria-label="Pending approvals" className="space-y-3">
          {pending.map((approval) => (
            <li key={approval.id} className="space-y-3 rounded-2xl border border-line bg-surface p-4 sm:p-5" aria-label={`Request from ${approval.agentName}`}>
              <div className="flex items-center gap-3">
                <AgentAvatar name={approval.agentName} logoUri={approval.agentLogoUri} size="sm" />
                <p className="min-w-0 grow font-medium">
                  {approval.agentName} <span className="font-normal text-muted">asks to</span>
                </p>
                <span className="shrink-0 text-xs text-muted" suppressHydrationWarning>
                  expires in {remaining(new Date(approval.expiresAt).getTime() - now)}
                </span>
              </div>
              <ul className="space-y-1 text-sm">
                {approval.details.map((d) => (
                  <li key={d} className="font-semibold text-fg">
                    {d}
                  </li>
                ))}
                {approval.scopes.map((s) => (
                  <li key={s.name}>
                    {s.description} <span className="font-mono text-xs text-muted">{s.name}</span>
                  </li>
                ))}
              </ul>
              {approval.bindingMessage ? <p className="rounded-lg bg-subtle px-3 py-2 text-sm">“{approval.bindingMessage}”</p> : null}
              {approval.intent ? <p className="text-xs text-muted">Instruction behind it: {approval.intent}</p> : null}
              <p className="text-xs text-muted">If you approve, this access lasts {approval.windowMinutes} minutes and then ends on its own.</p>
              <div className="flex gap-2">
                <Button onClick={() => decide.mutate({ id: approval.id, approve: true })} disabled={!hydrated || decide.isPending}>
                  {decide.isPending ? <Spinner /> : null}
                  Approve
                </Button>
                <Button variant="secondary" onClick={() => decide.mutate({ id: approval.id, approve: false })} disabled={!hydrated || decide.isPending}>
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
