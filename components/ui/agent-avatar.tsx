// An agent's logo (from its own metadata, fetched by the browser without a referrer) or, without
// one, its initials. Agent-supplied values are only ever attributes or text, never markup.
export function AgentAvatar({ name, logoUri, size = 'md' }: { name: string; logoUri: string | null; size?: 'sm' | 'md' }) {
  const box = size === 'sm' ? 'h-8 w-8 rounded-lg text-xs' : 'h-12 w-12 rounded-xl text-base';
  if (logoUri) {
    // eslint-disable-next-line @next/next/no-img-element -- an agent's logo from its own origin
    return <img src={logoUri} alt="" referrerPolicy="no-referrer" className={`${box} shrink-0 border border-line object-cover`} />;
  }
  return (
    <span aria-hidden="true" className={`${box} flex shrink-0 items-center justify-center bg-accent-soft font-semibold text-accent`}>
      {name.slice(0, 2).toUpperCase()}
    </span>
  );
}
