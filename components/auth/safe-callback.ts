// Where to go after signing in: only a path on this site, never another origin (open redirect).
export function safeCallbackPath(raw: string | null | undefined, fallback = '/agents'): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return fallback;
  try {
    const base = 'http://leash.invalid';
    const url = new URL(raw, base);
    if (url.origin !== base) return fallback;
    if (url.pathname.startsWith('/sign-in') || url.pathname.startsWith('/sign-up')) return fallback;
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
}
