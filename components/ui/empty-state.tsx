// What a dashboard page shows before it has anything to list: what will appear, and how it gets there.
export function EmptyState({ icon, title, children }: { icon: React.ReactNode; title: string; children: React.ReactNode }) {
  return (
    <section aria-label={title} className="flex flex-col items-center rounded-2xl border border-dashed border-line-strong bg-surface px-6 py-14 text-center">
      <div className="mb-4 flex h-12 w-12 items-center justify-center rounded-xl bg-accent-soft text-accent">{icon}</div>
      <h2 className="text-base font-semibold text-fg">{title}</h2>
      <div className="mt-2 max-w-md space-y-2 text-sm leading-6 text-muted">{children}</div>
    </section>
  );
}
