'use client';

import { Button } from '@/components/ui/button';

// Shown when a dashboard page cannot load its data (for example, the database is unreachable).
export default function DashboardError({ reset }: { error: Error; reset: () => void }) {
  return (
    <div role="alert" className="rounded-2xl border border-danger/30 bg-danger-soft px-6 py-10 text-center">
      <h1 className="text-base font-semibold text-danger">This page could not be loaded</h1>
      <p className="mx-auto mt-2 max-w-md text-sm text-muted">Leash could not reach its data just now. Nothing was changed. Try again in a moment.</p>
      <Button variant="secondary" className="mt-5" onClick={reset}>
        Try again
      </Button>
    </div>
  );
}
