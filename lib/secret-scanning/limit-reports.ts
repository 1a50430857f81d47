// Secret scanning reports per client address (LEASH_SECRET_SCANNING_IP_LIMIT a minute, per
// instance), checked before the body is read or a signature verified: a flood of forged reports
// costs no key fetches and no ECDSA verifications. In memory, like the other per-address limits of
// the public machine endpoints (lib/oauth/rate-limits.ts), with the same fixed windows
// (lib/http/window-limiter.ts). Refusals are 429 with Retry-After.
import 'server-only';
import { getConfig } from '@/lib/config/config';
import { ApiError } from '@/lib/http/api-error';
import { secondsToWait, WindowLimiter } from '@/lib/http/window-limiter';

let limiter: WindowLimiter | undefined;

/** Throws the 429 when this address sent too many reports this minute. */
export function limitReportsByIp(ip: string): void {
  limiter ??= new WindowLimiter(getConfig().secretScanning.perIpPerMinute, 60);
  const waitMs = limiter.take(ip);
  if (waitMs === null) return;
  const seconds = secondsToWait(waitMs);
  // RFC 6585 §4: 429 with Retry-After.
  throw new ApiError(429, 'rate_limited', `Too many reports from this address. Retry after ${seconds} seconds.`, undefined, { 'Retry-After': String(seconds) });
}
