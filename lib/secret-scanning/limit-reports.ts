// Secret scanning reports per client address (LEASH_SECRET_SCANNING_IP_LIMIT a minute, per
// instance), checked before the body is read or a signature verified: a flood of forged reports
// costs no key fetches and no ECDSA verifications. In memory, like the other per-address limits of
// the public machine endpoints (lib/oauth/rate-limits.ts). Refusals are 429 with Retry-After.
import 'server-only';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { getConfig } from '@/lib/config/config';
import { ApiError } from '@/lib/http/api-error';

let limiter: RateLimiterMemory | undefined;

export async function limitReportsByIp(ip: string): Promise<void> {
  limiter ??= new RateLimiterMemory({ keyPrefix: 'secret-scanning:ip', points: getConfig().secretScanning.perIpPerMinute, duration: 60 });
  try {
    await limiter.consume(ip);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    // RFC 6585 §4: 429 with Retry-After.
    throw new ApiError(429, 'rate_limited', `Too many reports from this address. Retry after ${seconds} seconds.`, undefined, { 'Retry-After': String(seconds) });
  }
}
