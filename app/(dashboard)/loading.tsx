// Skeleton while a dashboard page loads its first view.
export default function Loading() {
  return (
    <div aria-busy="true" aria-label="Loading" className="animate-pulse space-y-4">
      <div className="h-7 w-40 rounded-md bg-subtle" />
      <div className="h-4 w-80 max-w-full rounded-md bg-subtle" />
      <div className="mt-6 h-48 rounded-2xl border border-line bg-surface" />
    </div>
  );
}
