// A bordered list of rows: the base of the dashboard's tables until each screen gets its own.
export function DataList({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <ul aria-label={label} className="divide-y divide-line overflow-hidden rounded-2xl border border-line bg-surface">
      {children}
    </ul>
  );
}

export function DataRow({ children }: { children: React.ReactNode }) {
  return <li className="flex flex-col gap-2 px-4 py-3.5 sm:flex-row sm:items-center sm:justify-between sm:px-5">{children}</li>;
}
