'use client';

import { useEffect, useState } from 'react';

/**
 * False during server rendering and until React has attached its handlers. Buttons that act
 * through JavaScript stay disabled until then, so an early click is never silently lost.
 */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
