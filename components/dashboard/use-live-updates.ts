'use client';

import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

/**
 * Keeps the react-query cache in step with the server: an EventSource on /api/live (fed by
 * PostgreSQL LISTEN/NOTIFY on every instance) invalidates the queries each event touches. The
 * browser reconnects by itself after a drop; on every (re)connection everything is refetched once,
 * since events may have been missed before it.
 */
export function useLiveUpdates(topics: Record<string, readonly unknown[]>): LiveStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const key = JSON.stringify(topics);

  useEffect(() => {
    const byTopic = JSON.parse(key) as Record<string, unknown[]>;
    if (!Object.keys(byTopic).length) return;
    const refreshAll = () => {
      for (const queryKey of Object.values(byTopic)) void queryClient.invalidateQueries({ queryKey });
    };
    const source = new EventSource('/api/live');
    source.addEventListener('ready', () => {
      // Connected (or reconnected): whatever changed between the page's render, or the drop, and
      // now was not announced to this browser, so refetch once.
      refreshAll();
      setStatus('live');
    });
    source.addEventListener('resync', refreshAll);
    for (const [topic, queryKey] of Object.entries(byTopic)) {
      source.addEventListener(topic, () => void queryClient.invalidateQueries({ queryKey }));
    }
    source.onerror = () => setStatus('reconnecting');
    return () => source.close();
  }, [key, queryClient]);

  return status;
}

/** The current time, ticking every `intervalMs` (for countdowns). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
