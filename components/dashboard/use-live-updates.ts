'use client';

import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

/**
 * Keeps the react-query cache in step with the server: an EventSource on /api/live (fed by
 * PostgreSQL LISTEN/NOTIFY on every instance) invalidates the queries each event touches. After a
 * drop the browser reconnects by itself; everything is refetched then, since events may have been
 * missed in between.
 */
export function useLiveUpdates(topics: Record<string, readonly unknown[]>): LiveStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const key = JSON.stringify(topics);

  useEffect(() => {
    const byTopic = JSON.parse(key) as Record<string, unknown[]>;
    const refreshAll = () => {
      for (const queryKey of Object.values(byTopic)) void queryClient.invalidateQueries({ queryKey });
    };
    const source = new EventSource('/api/live');
    let opened = false;
    source.addEventListener('ready', () => {
      // A reconnection: what happened during the gap is unknown, so refetch.
      if (opened) refreshAll();
      opened = true;
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
