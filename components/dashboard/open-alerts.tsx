'use client';

// Open alerts at the top of the Agents screen: what looked wrong, with a link to the agent and an
// Acknowledge button. On a phone a stack of banners would push the agents off the screen (issue
// 18), so there they fold into one line ("3 open alerts") that expands; wider screens list them.
import Link from 'next/link';
import { useId, useState } from 'react';
import { useRouter } from 'next/navigation';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { useHydrated } from '@/components/ui/use-hydrated';

type OpenAlert = { id: string; severity: string; message: string; createdAt: string; agentId: string | null };

export function OpenAlerts({ alerts }: { alerts: OpenAlert[] }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const listId = useId();
  const [expanded, setExpanded] = useState(false);
  const [pending, setPending] = useState<string | null>(null);
  if (!alerts.length) return null;
  const critical = alerts.filter((a) => a.severity === 'CRITICAL').length;
  return (
    <div className="mb-6">
      <button
        type="button"
        aria-expanded={expanded}
        aria-controls={listId}
        disabled={!hydrated}
        onClick={() => setExpanded(!expanded)}
        className={`flex w-full items-center gap-2 rounded-xl border px-4 py-3 text-left text-sm sm:hidden ${critical ? 'border-danger/40 bg-danger-soft' : 'border-warning/40 bg-warning-soft'}`}
      >
        <span className="font-medium text-fg">
          {alerts.length} open alert{alerts.length === 1 ? '' : 's'}
        </span>
        {critical ? <Badge tone="danger">{critical} critical</Badge> : null}
        <span className="ml-auto flex items-center gap-1 text-muted">
          {expanded ? 'Hide' : 'Show'}
          <svg viewBox="0 0 20 20" className={`h-4 w-4 transition-transform ${expanded ? 'rotate-180' : ''}`} fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
            <path d="m5 8 5 5 5-5" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
        </span>
      </button>
      <ul id={listId} aria-label="Alerts" className={`space-y-2 sm:block ${expanded ? 'mt-2 sm:mt-0' : 'hidden'}`}>
        {alerts.map((alert) => (
          <li
            key={alert.id}
            className={`flex flex-col gap-2 rounded-xl border px-4 py-3 text-sm sm:flex-row sm:items-center sm:justify-between ${
              alert.severity === 'CRITICAL' ? 'border-danger/40 bg-danger-soft' : 'border-warning/40 bg-warning-soft'
            }`}
          >
            <p className="min-w-0 break-words text-fg">
              {alert.message}{' '}
              {alert.agentId ? (
                <Link href={`/agents/${alert.agentId}`} className="font-medium text-accent hover:underline">
                  See the agent
                </Link>
              ) : null}
            </p>
            <Button
              variant="secondary"
              className="h-8 shrink-0 px-3"
              disabled={!hydrated || pending === alert.id}
              onClick={async () => {
                setPending(alert.id);
                await fetch(`/api/account/alerts/${alert.id}/acknowledge`, { method: 'POST' }).catch(() => null);
                setPending(null);
                router.refresh();
              }}
            >
              Acknowledge
            </Button>
          </li>
        ))}
      </ul>
    </div>
  );
}
