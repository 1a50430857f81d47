'use client';

// The Alerts page, live: what looked wrong with an agent (denied-call bursts, refresh-token reuse,
// calls outside the allowed hours, first use of a high-risk scope, token floods, failed step-ups),
// newest first, with the agent, whether the alert suspended it (and a way to resume), whether the
// webhook got it, and Acknowledge. Open and acknowledged alerts are two tabs.
import Link from 'next/link';
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { BellIcon } from '@/components/icons';
import { useLiveUpdates } from '@/components/dashboard/use-live-updates';
import { OPEN_ALERTS_KEY } from '@/components/dashboard/alerts-badge';
import { AgentMark } from '@/components/ui/agent-mark';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button, Spinner } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { useHydrated } from '@/components/ui/use-hydrated';
import type { AlertItem } from '@/lib/alerts/list-alerts';
import { TechnicalDetails } from '@/components/ui/technical-details';
import { describeAlertKind } from '@/lib/words/plain-words';

type Status = 'open' | 'acknowledged';
const key = (status: Status) => ['alerts', 'list', status] as const;
const TONE = { INFO: 'accent', WARNING: 'warning', CRITICAL: 'danger' } as const;
const SEVERITY = { INFO: 'for your information', WARNING: 'warning', CRITICAL: 'critical' } as const;

function when(iso: string) {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function LiveAlerts({ initial }: { initial: AlertItem[] }) {
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const [status, setStatus] = useState<Status>('open');
  const [message, setMessage] = useState<string | null>(null);
  const { data, isFetching, isError } = useQuery({
    queryKey: key(status),
    queryFn: async (): Promise<AlertItem[]> => {
      const response = await fetch(`/api/account/alerts?status=${status}`, { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return (await response.json()).alerts;
    },
    initialData: status === 'open' ? initial : undefined,
  });
  useLiveUpdates({ alerts: ['alerts'] });
  const acknowledge = useMutation({
    mutationFn: async (id: string) => {
      const response = await fetch(`/api/account/alerts/${id}/acknowledge`, { method: 'POST' }).catch(() => null);
      if (!response?.ok) throw new Error('The alert could not be acknowledged. Please try again.');
    },
    onError: (error: Error) => setMessage(error.message),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['alerts'] });
      void queryClient.invalidateQueries({ queryKey: OPEN_ALERTS_KEY });
    },
  });

  return (
    <div className="space-y-4">
      <div role="tablist" aria-label="Alert status" className="inline-flex rounded-lg border border-line bg-subtle p-0.5 text-sm">
        {(['open', 'acknowledged'] as const).map((s) => (
          <button
            key={s}
            role="tab"
            aria-selected={status === s}
            onClick={() => setStatus(s)}
            className={`rounded-md px-3 py-1.5 font-medium ${status === s ? 'bg-surface text-fg shadow-sm' : 'text-muted hover:text-fg'}`}
          >
            {s === 'open' ? 'Open' : 'Acknowledged'}
          </button>
        ))}
      </div>
      {message ? <Alert tone="danger">{message}</Alert> : null}
      {isError ? <Alert tone="danger">The alerts could not be loaded. They will appear when the server answers again.</Alert> : null}
      {!data ? (
        <p className="flex items-center gap-2 text-sm text-muted">
          <Spinner /> Loading alerts…
        </p>
      ) : data.length === 0 ? (
        <EmptyState icon={<BellIcon className="h-6 w-6" />} title={status === 'open' ? 'No open alerts' : 'Nothing acknowledged yet'}>
          <p>
            Leash watches your agents: bursts of refused calls, a refresh token used twice, calls outside the hours you allowed, the first use of a high-risk scope, token floods and failed identity
            checks raise an alert here, at once.
          </p>
          <p>Thresholds, a webhook and automatic suspension are in Settings.</p>
        </EmptyState>
      ) : (
        <ul aria-label={status === 'open' ? 'Open alerts' : 'Acknowledged alerts'} className="space-y-3" aria-busy={isFetching}>
          {data.map((alert) => (
            <li key={alert.id} className="space-y-2 rounded-2xl border border-line bg-surface p-4 sm:p-5">
              <div className="flex flex-wrap items-center gap-2">
                <Badge tone={TONE[alert.severity]}>{SEVERITY[alert.severity]}</Badge>
                <span className="text-sm font-medium text-fg">{describeAlertKind(alert.kind)}</span>
                {alert.autoSuspended ? <Badge tone="danger">agent suspended</Badge> : null}
                <span className="ml-auto text-xs text-muted" suppressHydrationWarning>
                  {when(alert.createdAt)}
                </span>
              </div>
              <p className="text-sm text-fg">{alert.message}</p>
              <TechnicalDetails>
                <p>kind {alert.kind}</p>
                <p>severity {alert.severity}</p>
              </TechnicalDetails>
              <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
                {alert.agentId ? (
                  <Link href={`/agents/${alert.agentId}`} className="font-medium text-accent hover:underline">
                    {alert.autoSuspended ? `Review and resume ${alert.agentName ?? 'the agent'}` : `See ${alert.agentName ?? 'the agent'}`}
                  </Link>
                ) : null}
                {alert.agentClientId ? <AgentMark clientId={alert.agentClientId} verifiedDomain={alert.agentVerifiedDomain} /> : null}
                {alert.delivery ? <span className="text-xs text-muted">Webhook: {alert.delivery}</span> : null}
                {status === 'open' ? (
                  <Button variant="secondary" className="ml-auto h-8 px-3" disabled={!hydrated || acknowledge.isPending} onClick={() => acknowledge.mutate(alert.id)}>
                    Acknowledge
                  </Button>
                ) : (
                  <span className="ml-auto text-xs text-muted" suppressHydrationWarning>
                    acknowledged {alert.acknowledgedAt ? when(alert.acknowledgedAt) : ''}
                  </span>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
