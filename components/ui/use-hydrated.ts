'use client';

import { useSyncExternalStore } from 'react';

const subscribe = () => () => {};

/**
 * False during server rendering and until React has attached its handlers. Buttons that act
 * through JavaScript stay disabled until then, so an early click is never silently lost.
 * (The server snapshot is used while hydrating, the client one right after.)
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
