// The client's IP address. The Leash server (server/serve.ts) overwrites `x-leash-client-ip` with
// the socket's peer address on every request, so a client cannot choose it. Behind reverse proxies,
// LEASH_TRUSTED_PROXIES = N takes the N-th address from the right of X-Forwarded-For: the one
// the outermost trusted proxy saw (entries further left are client-supplied and untrusted).
import 'server-only';
import { getConfig } from '@/lib/config/config';

export const CLIENT_IP_HEADER = 'x-leash-client-ip';

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function read(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function clientIp(headers: HeaderSource): string {
  const hops = getConfig().trustedProxies;
  if (hops > 0) {
    const chain = (read(headers, 'x-forwarded-for') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const candidate = chain[chain.length - hops];
    if (candidate) return candidate;
  }
  return read(headers, CLIENT_IP_HEADER) ?? 'unknown';
}
