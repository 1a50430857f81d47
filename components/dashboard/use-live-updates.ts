'use client';

import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

// One EventSource per page, shared by every component that listens (the navigation badge and the
// page itself): browsers allow only six HTTP/1.1 connections per origin, so a connection per
// component would block the third open dashboard tab.
let shared: { source: EventSource; users: number } | null = null;

function acquire(): EventSource {
  shared ??= { source: new EventSource('/api/live'), users: 0 };
  shared.users++;
  return shared.source;
}

function release(source: EventSource) {
  if (!shared || shared.source !== source) return;
  if (--shared.users === 0) {
    shared.source.close();
    shared = null;
  }
}

/**
 * Keeps the react-query cache in step with the server: the page's EventSource on /api/live (fed
 * by PostgreSQL LISTEN/NOTIFY on every instance) invalidates the queries each event touches. The
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
    const onReady = () => {
      // Connected (or reconnected): whatever changed between the page's render, or the drop, and
      // now was not announced to this browser, so refetch once.
      refreshAll();
      setStatus('live');
    };
    const onError = () => setStatus('reconnecting');
    const handlers = Object.entries(byTopic).map(([topic, queryKey]) => [topic, () => void queryClient.invalidateQueries({ queryKey })] as const);
    const source = acquire();
    source.addEventListener('ready', onReady);
    source.addEventListener('resync', refreshAll);
    source.addEventListener('error', onError);
    for (const [topic, handler] of handlers) source.addEventListener(topic, handler);
    // Joined a connection that is already open: its `ready` has passed.
    if (source.readyState === EventSource.OPEN) onReady();
    return () => {
      source.removeEventListener('ready', onReady);
      source.removeEventListener('resync', refreshAll);
      source.removeEventListener('error', onError);
      for (const [topic, handler] of handlers) source.removeEventListener(topic, handler);
      release(source);
    };
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
