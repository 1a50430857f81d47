// Redirect URI matching (RFC 6749 §3.1.2.3, OAuth 2.1 §4.1.3): exact string comparison, with one
// exception: for native clients, a loopback redirect URI may use any port (RFC 8252 §7.3), since
// the port is chosen when the app starts listening.
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

export function matchRedirectUri(requested: string, registered: string[], applicationType: string): boolean {
  if (registered.includes(requested)) return true;
  if (applicationType !== 'native') return false;
  let asked: URL;
  try {
    asked = new URL(requested);
  } catch {
    return false;
  }
  if (asked.protocol !== 'http:' || !LOOPBACK.has(asked.hostname)) return false;
  return registered.some((candidate) => {
    const known = new URL(candidate);
    return (
      known.protocol === 'http:' &&
      known.hostname === asked.hostname &&
      known.pathname === asked.pathname &&
      known.search === asked.search &&
      asked.username === '' &&
      asked.password === '' &&
      !requested.includes('#')
    );
  });
}
