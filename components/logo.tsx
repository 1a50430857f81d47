// The Leash mark: a shield with a keyhole, and the word mark.
export function LogoMark({ className = 'h-7 w-7' }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" className={className} aria-hidden="true">
      <rect width="32" height="32" rx="8" className="fill-accent" />
      <path d="M16 6.5 8.5 9.5v6c0 4.6 3.1 8.6 7.5 10 4.4-1.4 7.5-5.4 7.5-10v-6L16 6.5Z" fill="none" className="stroke-accent-fg" strokeWidth="2" strokeLinejoin="round" />
      <circle cx="16" cy="14.5" r="2.6" className="fill-accent-fg" />
      <path d="M16 17v4" className="stroke-accent-fg" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}

export function Logo() {
  return (
    <span className="flex items-center gap-2.5">
      <LogoMark />
      <span className="text-[17px] font-semibold tracking-tight text-fg">Leash</span>
    </span>
  );
}
