// Builds the redirect back to the agent (RFC 6749 §4.1.2): parameters are added to the redirect
// URI's own query, and `iss` is always present, on success and on error (RFC 9207 §2).
import 'server-only';
import { getConfig } from '@/lib/config/config';

export function authorizationRedirect(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  url.searchParams.set('iss', getConfig().issuer);
  return url.toString();
}
