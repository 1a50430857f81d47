'use client';

// Open alerts at the top of the Agents screen: what looked wrong, with a link to the agent and an
// Acknowledge button.
import Link from 'next/link';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { Button } from '@/components/ui/button';
import { useHydrated } from '@/components/ui/use-hydrated';

type OpenAlert = { id: string; severity: string; message: string; createdAt: string; agentId: string | null };

export function OpenAlerts({ alerts }: { alerts: OpenAlert[] }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [pending, setPending] = useState<string | null>(null);
  if (!alerts.length) return null;
  return (
    <ul aria-label="Alerts" className="mb-6 space-y-2">
      {alerts.map((alert) => (
        <li
          key={alert.id}
          className={`flex flex-col gap-2 rounded-xl border px-4 py-3 text-sm sm:flex-row sm:items-center sm:justify-between ${
            alert.severity === 'CRITICAL' ? 'border-danger/40 bg-danger-soft' : 'border-warning/40 bg-warning-soft'
          }`}
        >
          <p className="text-fg">
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
  );
}
