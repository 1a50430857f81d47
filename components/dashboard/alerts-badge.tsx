'use client';

// The number of open alerts beside "Alerts" in the navigation, kept live (SSE `alerts` events).
import { useQuery } from '@tanstack/react-query';
import { useLiveUpdates } from '@/components/dashboard/use-live-updates';

export const OPEN_ALERTS_KEY = ['alerts', 'open'] as const;

async function fetchOpen() {
  const response = await fetch('/api/account/alerts?status=open', { cache: 'no-store' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as { open: number };
}

/** `live`: this caller also subscribes to the events (one subscriber per page is enough). */
export function useOpenAlertCount(live: boolean): number {
  const { data } = useQuery({ queryKey: OPEN_ALERTS_KEY, queryFn: fetchOpen, staleTime: 30_000 });
  useLiveUpdates(live ? { alerts: OPEN_ALERTS_KEY } : {});
  return data?.open ?? 0;
}

export function AlertsBadge({ count, compact = false }: { count: number; compact?: boolean }) {
  if (!count) return null;
  const text = count > 99 ? '99+' : String(count);
  return (
    <span
      aria-label={`${count} open alert${count === 1 ? '' : 's'}`}
      className={`${compact ? 'absolute -top-1 left-1/2 ml-1.5' : 'ml-auto'} inline-flex min-w-5 items-center justify-center rounded-full bg-danger px-1.5 text-[11px] leading-5 font-semibold text-white`}
    >
      {text}
    </span>
  );
}
