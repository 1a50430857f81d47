// The codes behind the plain words (scope and action names, assurance URNs, delegation claims,
// hashes), for whoever needs them, closed by default. Plain words go outside; codes go in here.
export function TechnicalDetails({ children, className = '' }: { children: React.ReactNode; className?: string }) {
  return (
    <details className={`group text-xs text-muted ${className}`}>
      <summary className="cursor-pointer select-none list-none text-muted hover:text-fg [&::-webkit-details-marker]:hidden">
        <span className="inline-block transition-transform group-open:rotate-90" aria-hidden="true">
          ›
        </span>{' '}
        Technical details
      </summary>
      <div className="mt-1.5 space-y-1 break-words font-mono">{children}</div>
    </details>
  );
}
